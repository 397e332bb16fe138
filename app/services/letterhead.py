"""What the office's printed documents carry at the top and bottom: names of the region, address, phone, Lurah."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.context import OfficeContext
from app.storage.models import Office, Operator

MAX_ADDRESS = 300
MAX_PHONE = 40
# Digits, spaces and the marks people write phone numbers with: +62 (0343) 123-456 ext. 12
PHONE = re.compile(r"[0-9+() .\-/]*(?:\s*(?:ext\.?|psw\.?)\s*[0-9]+)?", re.IGNORECASE)


class ContactInvalid(UsulkanError):
    template = N_("The office's address or phone number cannot be saved.")
    hint = N_("Correct it and save again.")


class ContactHasControlCharacters(ContactInvalid):
    template = N_("The office's address or phone number contains invisible control characters.")
    hint = N_("Type it again instead of pasting it.")


class ContactTooLong(ContactInvalid):
    template = N_("The office's {field} is longer than {limit} characters.")
    hint = N_("Shorten it: it must fit on one printed line.")


class PhoneInvalid(ContactInvalid):
    template = N_("The office's phone number may hold digits, spaces and + ( ) - only.")
    hint = N_("For example: (0343) 424242.")


class ContactNotAllowed(UsulkanError):
    template = N_("Only the Lurah or an operator can change the office's address and phone.")


@dataclass(frozen=True)
class Letterhead:
    office_name: str
    village: str
    district: str  # kecamatan
    regency: str  # kabupaten/kota, as the region table spells it ("KOTA PASURUAN")
    address: str
    phone: str
    lurah_name: str


def _clean(text: str | None, *, limit: int, field: str) -> str:
    text = " ".join((text or "").split())  # one line on paper: newlines and tabs become spaces
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
           for c in text):
        raise ContactHasControlCharacters()
    if len(text) > limit:
        raise ContactTooLong(field=field, limit=limit)
    return text


def _title(name: str) -> str:
    # The region table writes regencies in capitals ("KOTA PASURUAN"); a letterhead does not shout.
    return name.title() if name.isupper() else name


def letterhead(ctx: OfficeContext) -> Letterhead:
    with ctx.reading() as session:
        office = session.get(Office, ctx.office_id)
        lurah = session.scalars(
            select(Operator.name).where(Operator.role == "lurah", Operator.active.is_(True)).order_by(Operator.created_at)
        ).first()
        village = ctx.regions.village(ctx.village_code)
        district = ctx.regions.get(".".join(village.code.split(".")[:3])) if village else None
        regency = ctx.regions.regency_of(ctx.village_code)
        return Letterhead(
            office_name=ctx.office_name,
            village=village.name if village else ctx.village_code,
            district=district.name if district else "",
            regency=_title(regency.name) if regency else "",
            address=(office.address or "") if office else "",
            phone=(office.phone or "") if office else "",
            lurah_name=lurah or "",
        )


def set_contact(ctx: OfficeContext, *, address: str | None, phone: str | None) -> Letterhead:
    """Change the address and phone printed on the office's documents (audited)."""
    if ctx.operator_role not in ("lurah", "operator"):
        raise ContactNotAllowed()
    address = _clean(address, limit=MAX_ADDRESS, field=_("address"))
    phone = _clean(phone, limit=MAX_PHONE, field=_("phone number"))
    if phone and (not PHONE.fullmatch(phone) or not any(c.isdigit() for c in phone)):
        raise PhoneInvalid()
    with ctx.transaction() as session:
        office = session.get(Office, ctx.office_id)
        before = {"address": office.address, "phone": office.phone}
        office.address, office.phone = address or None, phone or None
        ctx.audit(session, "office.contact", "office", ctx.office_id, before=before,
                  after={"address": office.address, "phone": office.phone})
    return letterhead(ctx)
