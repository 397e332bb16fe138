"""Staff accounts, review decisions as signed statuses, export columns, provisioning and bind."""

from __future__ import annotations

import csv
import io

import pytest

from app.domain.workflow import IllegalTransition
from app.server import auth, export, review
from app.server.audit import verify_chain
from app.server.errors import EnrolmentRefused, Forbidden, LoginFailed, NotAuthenticated
from app.server.ingest import ingest
from app.server.provisioning import bind_office, register_office
from app.sync import keys
from app.sync.status import StatusPage, verify_status_page
from bench.server_world import NOW, nik, sealed_bind_request

PASSWORD = "rahasia-dinsos-123"


@pytest.fixture
def verifier(ctx):
    auth.add_staff(ctx, username="vera", password=PASSWORD, role="verifier")
    return auth.authenticate(ctx, auth.login(ctx, "vera", PASSWORD))


@pytest.fixture
def kepala(ctx):
    auth.add_staff(ctx, username="kirana", password=PASSWORD, role="kepala")
    return auth.authenticate(ctx, auth.login(ctx, "kirana", PASSWORD))


@pytest.fixture
def admin(ctx):
    auth.add_staff(ctx, username="adi", password=PASSWORD, role="admin")
    return auth.authenticate(ctx, auth.login(ctx, "adi", PASSWORD))


def test_wrong_password_and_unknown_user_fail(ctx, verifier):
    with pytest.raises(LoginFailed):
        auth.login(ctx, "vera", "salah-kata-sandi")
    with pytest.raises(LoginFailed):
        auth.login(ctx, "nobody", PASSWORD)
    with pytest.raises(NotAuthenticated):
        auth.authenticate(ctx, "not-a-token")


def test_decisions_become_signed_statuses_the_office_verifies(ctx, kelurahan, verifier, kepala, admin):
    _, _, signed = kelurahan.batch(kelurahan.items([nik(1), nik(2)]), advance=False)
    ingest(ctx, kelurahan.batch(list(signed.items))[0])
    first, second = (i.item_id for i in signed.items)
    review.decide(ctx, verifier, first, "verify")
    with pytest.raises(Forbidden):  # four eyes: the Kepala OPD finalises, not the verifier
        review.decide(ctx, verifier, first, "finalise")
    review.decide(ctx, kepala, first, "finalise")
    review.decide(ctx, admin, first, "approve", decree=review.Decree("188.45/12/HK/2026", NOW.date()))
    review.decide(ctx, verifier, second, "return", [review.Reason("kk_mismatch", "No. KK tidak sesuai.")])
    with pytest.raises(Forbidden):
        review.decide(ctx, verifier, first, "forward")
    with pytest.raises(IllegalTransition):
        review.decide(ctx, kepala, second, "finalise")

    page = StatusPage.from_bytes(review.status_page(ctx, kelurahan.office_id, 0))
    verify_status_page(page, ctx.keys.server_public, office_id=kelurahan.office_id, after_cursor=0)
    assert [(u.item_id, u.state) for u in page.updates] == [
        (first, "verified"), (first, "finalised"), (first, "approved"), (second, "returned")]
    assert page.updates[-1].reasons[0].code == "kk_mismatch"
    later = StatusPage.from_bytes(review.status_page(ctx, kelurahan.office_id, 3))
    verify_status_page(later, ctx.keys.server_public, office_id=kelurahan.office_id, after_cursor=3)
    assert [u.feed_cursor for u in later.updates] == [4]
    with ctx.reading() as session:
        assert verify_chain(session) > 5


def test_export_has_the_bnba_columns(ctx, kelurahan, verifier, kepala):
    _, _, signed = kelurahan.batch(kelurahan.items([nik(3), nik(4)]), advance=False)
    ingest(ctx, kelurahan.batch(list(signed.items))[0])
    done = signed.items[0].item_id
    review.decide(ctx, verifier, done, "verify")
    review.decide(ctx, kepala, done, "finalise")
    rows = list(csv.reader(io.StringIO(export.to_csv(ctx).decode("utf-8-sig"))))
    assert rows[0] == list(export.COLUMNS)
    assert rows[1:] == [[nik(3), "3575030101900001", "SITI AMINAH", "JL. PAHLAWAN NO. 7", "001", "002",
                         "35.75.03.1009", "pkh", NOW.date().isoformat()]]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.to_xlsx(ctx))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(export.COLUMNS) and values[1][0] == nik(3)


def test_enrolment_code_works_once(ctx):
    registered = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009")
    doc = registered.document
    assert doc["format"] == "usulkan-provisioning" and doc["office_id"] == registered.office_id
    assert doc["server_signing_certificate"]["purpose"] == "server_signing"
    authority = keys.generate_ed25519()
    request, _ = sealed_bind_request(ctx, registered.office_id, doc["enrolment_code"], authority)
    answer = bind_office(ctx, registered.office_id, request)
    # The same request again (its answer was lost) gets the same signed answer, nothing new.
    assert bind_office(ctx, registered.office_id, request) == answer
    other, _ = sealed_bind_request(ctx, registered.office_id, doc["enrolment_code"], authority)
    with pytest.raises(EnrolmentRefused):
        bind_office(ctx, registered.office_id, other)


def test_bind_signed_by_another_key_is_refused(ctx):
    from app.server.models import Office
    from app.sync.bind import BindError, make_bind_request

    registered = register_office(ctx, name="K", village_code="35.75.03.1009")
    authority, thief = keys.generate_ed25519(), keys.generate_ed25519()

    class Claims:  # signs with the thief's key but names the Lurah's
        public_key_bytes = keys.public_bytes(authority.public_key())

        def sign(self, data):
            return thief.sign(data)

    request = make_bind_request(Claims(), office_id=registered.office_id,
                                enrolment_code=registered.document["enrolment_code"], feed_token="t" * 43,
                                signed_at=NOW, dinsos_x25519_public=ctx.keys.x25519.public_key())
    with pytest.raises(BindError) as refused:
        bind_office(ctx, registered.office_id, request)
    assert refused.value.reason == "bad_signature"
    with ctx.reading() as session:
        assert session.get(Office, registered.office_id).authority_public_key is None
