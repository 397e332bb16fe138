"""The sync round fetches newer DTSEN versions (one hook in sync_run); a refused package stops nothing else."""

from __future__ import annotations

from datetime import timedelta

from app.clock import utcnow
from app.services import dtsen, sync_run
from app.sync import keys
from app.sync.canonical import b64url_encode
from app.sync.dtsen import Family, Member, file_entries, issue_manifest, payload_files, seal_package
from app.sync.return_file import feed_token_digest
from tests.fakes.sync_world import SERVER_OFFICE_ID, queue_ready

KK = "3575031009000001"


class WithDtsen:
    """FakeDinsos plus the DTSEN feed, each package signed by ``signer`` (Dinsos's server key by default)."""

    def __init__(self, dinsos, signer=None):
        self.dinsos, self.signer, self.published, self.asked = dinsos, signer or dinsos.server, [], []

    def __getattr__(self, name):
        return getattr(self.dinsos, name)

    def publish(self, desil: int) -> None:
        family = Family(KK, "D-1", desil, ("PKH",), (Member("3575031009000101", "Siti Aminah"),))
        version = len(self.published) + 1
        kind = "snapshot" if version == 1 else "delta"
        files = payload_files(kind, [family])
        previous = self.published[-1][0].digest if self.published else None
        now = utcnow()
        manifest = issue_manifest(self.signer, office_id=SERVER_OFFICE_ID, version=version, kind=kind,
                                  base_version=None if version == 1 else version - 1,
                                  previous_manifest_hash=previous, issued_at=now,
                                  expires_at=now + timedelta(days=120), families=1, files=file_entries(files))
        self.published.append((manifest, seal_package(manifest, files, feed_token_digest(self.dinsos.feed_token))))

    def get_dtsen(self, office_id, after, token):
        assert token == self.dinsos.feed_token
        self.asked.append(after)
        return {"packages": [b64url_encode(data) for m, data in self.published if m.version > after]}


def test_the_round_applies_what_is_newer_and_only_that(linked, dinsos):
    transport = WithDtsen(dinsos)
    transport.publish(desil=5)
    queue_ready(linked, 1)
    report = sync_run.run_round(linked, transport, now=utcnow())
    assert report.error is None and report.dtsen_version == 1 and report.sent.delivered
    assert dtsen.lookup(linked, KK).desil == 5
    assert sync_run.run_round(linked, transport, now=utcnow()).dtsen_version is None
    transport.publish(desil=3)
    assert sync_run.run_round(linked, transport, now=utcnow()).dtsen_version == 2
    assert transport.asked == [0, 1, 1]
    assert [(c.change, c.old_desil, c.new_desil) for c in dtsen.changes(linked)] == [("desil", 5, 3)]


def test_a_package_not_signed_by_dinsos_is_refused_and_the_round_goes_on(linked, dinsos):
    transport = WithDtsen(dinsos, signer=keys.generate_ed25519())
    transport.publish(desil=2)
    queue_ready(linked, 1)
    report = sync_run.run_round(linked, transport, now=utcnow())
    assert report.sent.delivered and report.contact  # the batch still went
    assert report.error == "dtsen_bad_signature" and report.dtsen_version is None
    assert dtsen.status(linked).version == 0 and dtsen.lookup(linked, KK) is None


def test_the_sending_page_says_it_in_words():
    from app.ui.pages.sync import reason_text

    text = reason_text("dtsen_bad_signature")
    assert "Data DTSEN dari Dinsos tidak diterapkan" in text and "tidak ditandatangani" in text
