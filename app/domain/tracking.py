"""Tracking codes for the citizen's receipt (USK-7K3M-Q9TD): short, speakable, typo-checked."""

from __future__ import annotations

import secrets

from app.domain.errors import DomainError
from app.i18n import N_

PREFIX = "USK"
# Crockford's base32: no I, L, O or U, so nothing is read as 1, 0 or a rude word.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 7  # random characters; 32**7 is 34 billion codes
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# What people read or type for a character that is not in the alphabet.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -._\t")


class InvalidTrackingCode(DomainError):
    code = "invalid_tracking_code"
    template = N_("This is not a tracking code; it should look like USK-7K3M-Q9TD.")
    hint = N_("Copy the code from the receipt exactly, eight characters after USK.")


class TrackingCodeTypo(InvalidTrackingCode):
    code = "tracking_code_typo"
    template = N_("The tracking code has a typing mistake somewhere.")
    hint = N_("Check each character against the receipt and type the code again.")


def check_character(body: str) -> str:
    """Luhn mod 32 over the body: catches any single wrong character and most swaps."""
    total = 0
    factor = 2
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def _format(body: str) -> str:
    full = body + check_character(body)
    return f"{PREFIX}-{full[:4]}-{full[4:]}"


def encode_tracking_code(number: int) -> str:
    """The code for ``number`` (0 <= number < 32**7); ``new_tracking_code`` picks one at random."""
    if not 0 <= number < len(ALPHABET) ** BODY_LENGTH:
        raise ValueError("tracking number out of range")
    chars = []
    for _ in range(BODY_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return _format("".join(reversed(chars)))


def new_tracking_code() -> str:
    return encode_tracking_code(secrets.randbelow(len(ALPHABET) ** BODY_LENGTH))


def normalise_tracking_code(text: str) -> str:
    """The canonical ``USK-XXXX-XXXX`` of what was typed; raise if it has the wrong shape or a typo.

    Case, dashes and spaces do not matter, the ``USK`` may be left off, and O, I, L are
    read as 0, 1, 1.
    """
    compact = (text or "").upper().translate(_SEPARATORS)
    if len(compact) == BODY_LENGTH + 1 + len(PREFIX) and compact.startswith(PREFIX):
        compact = compact[len(PREFIX):]
    body = compact.translate(_LOOKALIKES)
    if len(body) != BODY_LENGTH + 1 or any(ch not in _VALUE for ch in body):
        raise InvalidTrackingCode()
    if check_character(body[:-1]) != body[-1]:
        raise TrackingCodeTypo()
    return _format(body[:-1])


def is_valid_tracking_code(text: str) -> bool:
    try:
        normalise_tracking_code(text)
    except InvalidTrackingCode:
        return False
    return True
