"""A new Lurah without the old one, at the server: a one-time code, the new key from a boundary on.

Hostile first: a wrong, reused or expired code, a bind request replayed as a re-bind, the old key
after the boundary. Each refusal leaves the office exactly as it was; batches sent before the
boundary keep verifying.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from app.server.batch_audit import verify_stored_batches
from app.server.cli import main
from app.server.errors import OfficeNotBound
from app.server.ingest import ACCEPTED, ingest
from app.server.models import Office
from app.server.provisioning import register_office
from app.server.rebind import RebindRefused, issue_rebind_code, rebind_office
from app.sync import keys
from app.sync.bind import BindError
from app.sync.errors import BatchRejected
from app.sync.rebind import make_rebind_request, verify_rebind_answer
from bench.server_world import NOW, nik, sealed_bind_request


def _request(ctx, kelurahan, code, authority=None):
    authority = authority or keys.generate_ed25519()
    sealed = make_rebind_request(keys.as_signer(authority), office_id=kelurahan.office_id, rebind_code=code,
                                 feed_token=secrets.token_urlsafe(32), signed_at=NOW,
                                 dinsos_x25519_public=ctx.keys.x25519.public_key())
    return authority, sealed


def _office(ctx, office_id) -> tuple:
    with ctx.reading() as session:
        office = session.get(Office, office_id)
        return office.authority_public_key, office.feed_token_hash, office.last_sequence


def test_the_new_key_counts_from_the_boundary_and_the_old_one_signs_nothing_after_it(ctx, kelurahan):
    assert ingest(ctx, kelurahan.batch()[0]).outcome == ACCEPTED
    assert ingest(ctx, kelurahan.batch()[0]).outcome == ACCEPTED  # sequence 2, under the old key
    old_public = keys.public_bytes(kelurahan.authority.public_key())
    code, _expires = issue_rebind_code(ctx, kelurahan.office_id, actor="staff:admin")
    new_authority, sealed = _request(ctx, kelurahan, code)
    answer = verify_rebind_answer(
        rebind_office(ctx, kelurahan.office_id, sealed), ctx.keys.server_public, office_id=kelurahan.office_id,
        old_authority_public_key=old_public, new_authority_public_key=keys.public_bytes(new_authority.public_key()),
        sealed_request=sealed)
    assert answer.effective_after_sequence == 2
    assert _office(ctx, kelurahan.office_id)[0] == keys.public_bytes(new_authority.public_key())

    # The old key (and every certificate it made) signs nothing accepted after the boundary.
    with pytest.raises(BatchRejected) as refused:
        ingest(ctx, kelurahan.batch(advance=False)[0])
    assert refused.value.reason == "bad_certificate"
    # An operator re-certified by the new key carries on at sequence 3.
    kelurahan.authority = new_authority
    kelurahan.cert = kelurahan.certify(kelurahan.operator, cert_id="5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e")
    assert ingest(ctx, kelurahan.batch(kelurahan.items([nik(7)]))[0]).outcome == ACCEPTED
    # The batches before the boundary still verify, each against the key of its time.
    report = verify_stored_batches(ctx, kelurahan.office_id)
    assert report.ok and report.batches == 3
    # The same request again (a lost answer) gets the same answer; the code is spent for any other.
    assert rebind_office(ctx, kelurahan.office_id, sealed) == rebind_office(ctx, kelurahan.office_id, sealed)
    with pytest.raises(RebindRefused):
        rebind_office(ctx, kelurahan.office_id, _request(ctx, kelurahan, code)[1])


@pytest.mark.parametrize("how", ["wrong", "reused", "expired", "bind_request", "no_code"])
def test_a_bad_code_or_request_is_refused_and_the_office_stays_as_it_was(ctx, kelurahan, how):
    ingest(ctx, kelurahan.batch()[0])
    code, _expires = issue_rebind_code(ctx, kelurahan.office_id, actor="staff:admin", valid_for=timedelta(hours=2))
    if how == "reused":
        rebind_office(ctx, kelurahan.office_id, _request(ctx, kelurahan, code)[1])
    before = _office(ctx, kelurahan.office_id)
    errors = (RebindRefused,)
    if how == "wrong":
        sealed = _request(ctx, kelurahan, "AAAAA-BBBBB-CCCCC-DDDDD")[1]
    elif how == "expired":
        ctx.clock = lambda: NOW + timedelta(hours=3)
        sealed = _request(ctx, kelurahan, code)[1]
    elif how == "bind_request":  # sealed as a bind request: can never be opened as a re-bind
        sealed = sealed_bind_request(ctx, kelurahan.office_id, code, keys.generate_ed25519())[0]
        errors = (BindError,)
    elif how == "no_code":
        with ctx.transaction() as session:
            session.get(Office, kelurahan.office_id).rebind_code_hash = None
        sealed = _request(ctx, kelurahan, code)[1]
    else:
        sealed = _request(ctx, kelurahan, code)[1]
    with pytest.raises(errors):
        rebind_office(ctx, kelurahan.office_id, sealed)
    assert _office(ctx, kelurahan.office_id) == before
    # The office's own batches (under the key in force) are still accepted.
    if how != "reused":
        assert ingest(ctx, kelurahan.batch()[0]).outcome == ACCEPTED


def test_a_code_is_only_for_a_bound_office(ctx):
    registered = register_office(ctx, name="Kelurahan baru", village_code="35.75.03.1002")
    with pytest.raises(OfficeNotBound):
        issue_rebind_code(ctx, registered.office_id, actor="cli")


def test_rebind_code_and_batch_audit_from_the_command_line(ctx, kelurahan, settings, capsys):
    ingest(ctx, kelurahan.batch()[0])
    common = ["--data-dir", str(settings.data_dir)] + (["--database-url", settings.database_url]
                                                      if settings.database_url else [])
    assert main(["rebind-code", *common, "--office", kelurahan.office_id, "--valid-hours", "5"]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code.replace("-", "")) == 20
    assert main(["audit", "batches", *common, "--json"]) == 0
    assert '"ok": true' in capsys.readouterr().out
