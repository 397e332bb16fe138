"""Hostile: ``revoke_operator`` acts only on a LurahConfirmation minted by services/lurah.py for exactly this revocation.

Every other way in (no approval, the Lurah's passphrase handed over as a string the way the old
``lurah_passphrase=`` argument trusted it, forged or re-aimed approvals, an approval of another
step, another person, another session, a spent or a stale one) is refused, and nothing changes:
the person still signs in, no revocation statement is signed, nothing is audited as revoked.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.services import lurah as lurah_service
from app.services import operators
from app.services.office import open_office
from app.storage.handover_models import PendingRevocation
from app.storage.models import AuditEntry, Operator
from app.storage.sync_models import SigningKey
from app.storage.vault import WrongPassphrase
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS

B_PASS = "sandi operator budi"
Purpose = lurah_service.Purpose


def untouched(ctx, created_office, operator_id: str) -> None:
    """The person is exactly as before: active, keys active, no statement, no revocation audited, still signs in."""
    with ctx.reading() as session:
        assert session.get(Operator, operator_id).active
        assert session.scalars(select(PendingRevocation)).all() == []
        assert all(key.active for key in session.scalars(select(SigningKey).where(SigningKey.owner == operator_id)))
        assert "operator.revoke" not in session.scalars(select(AuditEntry.action)).all()
    open_office(created_office[0], operator_id, OPERATOR_PASS).close()


def test_revocation_without_a_valid_confirmation_is_refused_and_changes_nothing(linked, lurah, created_office,
                                                                                 fast_kdf):
    a_id = linked.operator_id
    b_id = operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah, "enrol"), kdf=fast_kdf).operator_id
    real = factories.approve(lurah, "revoke", b_id)  # genuine, but for revoking Budi
    fields = {f.name: getattr(real, f.name) for f in dataclasses.fields(real) if not f.name.startswith("_")}

    def spent():
        approval = factories.approve(lurah, "revoke", a_id)
        lurah_service.require(lurah, approval, Purpose.REVOKE, a_id)  # some other step used it up
        return approval

    def stale():
        approval = factories.approve(lurah, "revoke", a_id)
        clock = lurah.clock
        lurah.clock = lambda: clock() + timedelta(seconds=lurah_service.VALID_SECONDS + 1)
        return approval

    attempts = {
        # (whose session runs the step, how the "approval" is made)
        "none": (lurah, lambda: None),
        "the_passphrase_as_the_approval": (lurah, lambda: LURAH_PASS),
        "forged": (linked, lambda: lurah_service.LurahConfirmation(**(fields | {"subject": a_id}), _token=object())),
        "built_around_the_mint": (linked, lambda: _around_the_mint(fields | {"subject": a_id})),
        "a_real_one_re_aimed": (lurah, lambda: dataclasses.replace(real, subject=a_id)),
        "for_another_person": (lurah, lambda: real),
        "for_another_step": (lurah, lambda: factories.approve(lurah, "endorse", a_id)),
        "for_the_whole_office": (lurah, lambda: factories.approve(lurah, "revoke")),
        "from_another_session": (linked, lambda: factories.approve(lurah, "revoke", a_id)),
        "spent": (lurah, spent),
        "stale": (lurah, stale),
    }
    refused = []
    for name, (ctx, make) in attempts.items():
        clock = lurah.clock
        try:
            # A forgery is refused while it is being built; the others when the service spends them.
            operators.revoke_operator(ctx, a_id, reason="Kontrak selesai", confirmation=make())
        except lurah_service.ConfirmationRefused:
            refused.append(name)
        finally:
            lurah.clock = clock
        untouched(lurah, created_office, a_id)
    assert refused == list(attempts)

    # The old signature is gone: a passphrase cannot be passed in place of the approval any more.
    with pytest.raises(TypeError):
        operators.revoke_operator(lurah, a_id, reason="Kontrak selesai", lurah_passphrase=LURAH_PASS)
    # An operator typing their own passphrase as the Lurah's gets no approval at all.
    with pytest.raises(WrongPassphrase):
        factories.approve(linked, "revoke", a_id, passphrase=OPERATOR_PASS)
    untouched(lurah, created_office, a_id)

    # The same revocation with the Lurah's approval of exactly it goes through: the checks above can see one.
    linked.close()  # a re-key needs every connection closed
    result = operators.revoke_operator(lurah, a_id, reason="Kontrak selesai",
                                       confirmation=factories.approve(lurah, "revoke", a_id))
    assert result.operator_id == a_id and len(result.revocations) == 1
    with lurah.reading() as session:
        assert not session.get(Operator, a_id).active
        assert [row.operator_id for row in session.scalars(select(PendingRevocation))] == [a_id]


def _around_the_mint(values: dict):
    fake = object.__new__(lurah_service.LurahConfirmation)
    for name, value in values.items():
        object.__setattr__(fake, name, value)
    return fake
