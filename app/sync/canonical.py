"""Canonical bytes for everything signed or hashed (RFC 8785), and strict readers for the way back."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import rfc8785

from app.sync.errors import FormatInvalid, NotCanonical

# JSON numbers are IEEE doubles for most readers: beyond 2**53 - 1 two readers may disagree.
MAX_INT = 2**53 - 1
# Deep enough for any payload we build, shallow enough that no reader hits a recursion limit.
MAX_DEPTH = 32
ZERO_HASH = "0" * 64

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# Keys outside the Basic Multilingual Plane are the one place where RFC 8785 (UTF-16 order) and
# code-point order differ; no field name needs them, so they are refused and the orders agree.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_FOUR_BYTE_UTF8 = re.compile(rb"[\xf0-\xf4]")


def canonical_bytes(obj: Any) -> bytes:
    """RFC 8785 bytes of ``obj``; bytes become base64url, datetimes UTC seconds, UUIDs strings."""
    try:
        return rfc8785.dumps(_plain(obj, 0))
    except rfc8785.CanonicalizationError as err:
        # Lone surrogates or integers out of range: values with no single JSON spelling.
        raise NotCanonical() from err


def _plain(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        # Float formatting differs between languages; a signed format must not depend on it.
        raise NotCanonical()
    if isinstance(value, (bytes, bytearray)):
        return b64url_encode(bytes(value))
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list, tuple)) and depth > MAX_DEPTH:
        raise NotCanonical()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or _ASTRAL.search(key):
                raise NotCanonical()
            out[key] = _plain(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    raise NotCanonical()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing every spelling but the one ``b64url_encode`` gives."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as err:
        raise ValueError("not base64url") from err
    # Unused low bits of the last character would otherwise give a second spelling of a signature.
    if b64url_encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


def utc_second(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime truncated to the second (naive means UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def normalise_times(record: Any, *names: str) -> None:
    """Fix the named times of a frozen record to whole UTC seconds once, so its bytes and fields agree."""
    for name in names:
        object.__setattr__(record, name, utc_second(getattr(record, name)))


def format_time(moment: datetime) -> str:
    moment_utc = utc_second(moment)
    if moment_utc != (moment if moment.tzinfo else moment.replace(tzinfo=UTC)):
        # Truncating here would sign a time different from the one the caller holds.
        raise NotCanonical()
    return moment_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    if not _TIME.fullmatch(text):
        raise ValueError("not a UTC time")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of a value ``parse_canonical`` returned, by the C encoder.

    For that domain (no decimals, integers within +-(2**53 - 1), no key outside the BMP) the
    standard library's sorted, compact, non-ASCII-escaping output is byte for byte RFC 8785;
    tests/sync/test_canonical.py checks it against ``rfc8785``. It is 20-30 times faster.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if any(_ASTRAL.search(key) for key, _ in pairs):
        raise ValueError("key outside the BMP")
    return dict(pairs)


def _integer(text: str) -> int:
    value = int(text)
    if not -MAX_INT <= value <= MAX_INT:
        raise ValueError("integer out of range")
    return value


def _no_float(text: str) -> Any:
    raise ValueError("decimal number")


def parse_canonical(data: bytes, *, where: str) -> dict[str, Any]:
    """The JSON object in ``data``, which must already be exactly its own canonical form."""
    try:
        obj = json.loads(
            data.decode("utf-8"),
            # A raw non-BMP key needs 4-byte UTF-8; without any, the C object builder is enough (an
            # escaped one re-encodes raw and fails the comparison below, as does a duplicate key).
            object_pairs_hook=_object if _FOUR_BYTE_UTF8.search(data) else None,
            parse_int=_integer,
            parse_float=_no_float,
            parse_constant=_no_float,
        )
        # Lone surrogates (from \ud800 escapes) fail to encode here, as RFC 8785 requires.
        again = canonical_json(obj) if isinstance(obj, dict) else b""
    except (ValueError, RecursionError) as err:
        raise FormatInvalid(field=where) from err
    # One spelling per value: no whitespace, key order or escape variant can slip past a hash.
    if again != data or _too_deep(obj):
        raise FormatInvalid(field=where)
    return obj


def _too_deep(root: Any) -> bool:
    """Whether any container sits deeper than MAX_DEPTH (level by level: no recursion to exhaust)."""
    level = [root]
    for _ in range(MAX_DEPTH + 1):
        deeper = []
        for node in level:
            deeper += [c for c in (node.values() if type(node) is dict else node) if type(c) in (dict, list)]
        if not deeper:
            return False
        level = deeper
    return True


def _is_uuid(value: Any, version: int | None) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    # Only the lowercase hyphenated spelling, so an id compares equal everywhere it is stored.
    return str(parsed) == value and (version is None or parsed.version == version)


class Fields:
    """Reads one decoded JSON object field by field; any wrong, missing or extra field raises."""

    def __init__(self, obj: Any, where: str):
        if not isinstance(obj, dict):
            raise FormatInvalid(field=where)
        self._obj = obj
        self._where = where
        self._read: set[str] = set()

    def _take(self, key: str) -> Any:
        if key not in self._obj:
            raise FormatInvalid(field=self.path(key))
        self._read.add(key)
        return self._obj[key]

    def path(self, key: str) -> str:
        return f"{self._where}.{key}"

    def _check(self, key: str, ok: bool) -> None:
        if not ok:
            raise FormatInvalid(field=self.path(key))

    def _convert(self, key: str, convert: Callable[[Any], Any], value: Any) -> Any:
        try:
            return convert(value)
        except (ValueError, TypeError) as err:
            raise FormatInvalid(field=self.path(key)) from err

    def text(
        self,
        key: str,
        *,
        max_len: int = 200,
        choices: tuple[str, ...] | None = None,
        pattern: re.Pattern[str] | None = None,
        nullable: bool = False,
    ) -> str | None:
        value = self._take(key)
        if value is None and nullable:
            return None
        self._check(key, isinstance(value, str) and 0 < len(value) <= max_len)
        self._check(key, choices is None or value in choices)
        self._check(key, pattern is None or bool(pattern.fullmatch(value)))
        return value

    def constant(self, key: str, expected: Any) -> None:
        value = self._take(key)
        self._check(key, type(value) is type(expected) and value == expected)

    def integer(self, key: str, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
        value = self._take(key)
        # bool is an int in Python but not in JSON.
        self._check(key, type(value) is int and minimum <= value <= maximum)
        return value

    def uuid(self, key: str, *, version: int | None = None, nullable: bool = False) -> str | None:
        value = self._take(key)
        if value is None and nullable:
            return None
        self._check(key, _is_uuid(value, version))
        return value

    def uuids(self, key: str, *, max_items: int) -> list[str]:
        """An array of distinct UUIDs."""
        values = self.array(key, max_items=max_items)
        self._check(key, all(_is_uuid(value, None) for value in values))
        self._check(key, len(set(values)) == len(values))
        return values

    def time(self, key: str) -> datetime:
        value = self._take(key)
        self._check(key, isinstance(value, str))
        return self._convert(key, parse_time, value)

    def raw(self, key: str, *, length: int | None = None, nullable: bool = False) -> bytes | None:
        value = self._take(key)
        if value is None and nullable:
            return None
        self._check(key, isinstance(value, str))
        data = self._convert(key, b64url_decode, value)
        self._check(key, length is None or len(data) == length)
        return data

    def digest(self, key: str) -> str:
        value = self._take(key)
        self._check(key, isinstance(value, str) and bool(_HEX64.fullmatch(value)))
        return value

    def object(self, key: str) -> dict[str, Any]:
        value = self._take(key)
        self._check(key, isinstance(value, dict))
        return value

    def array(self, key: str, *, max_items: int, min_items: int = 0) -> list[Any]:
        value = self._take(key)
        self._check(key, isinstance(value, list) and min_items <= len(value) <= max_items)
        return value

    def each(self, key: str, *, max_items: int, min_items: int = 0) -> Iterator[tuple[int, Fields]]:
        """(index, Fields) for each object of the array at ``key``."""
        for index, item in enumerate(self.array(key, max_items=max_items, min_items=min_items)):
            yield index, Fields(item, f"{self.path(key)}[{index}]")

    def done(self) -> None:
        """Refuse fields this version does not know: they would be signed but never checked."""
        extra = set(self._obj) - self._read
        if extra:
            raise FormatInvalid(field=f"{self._where}.<unknown>")


class SignedRecord:
    """Mixin for a record made of ``body()`` plus a ``signature`` over its canonical bytes."""

    signature: bytes

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def signing_bytes(self) -> bytes:
        return canonical_bytes(self.body())

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.to_dict())


def as_received(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as a reader would get it off the wire, so issued records pass the same reader."""
    return parse_canonical(canonical_bytes(obj), where="record")
