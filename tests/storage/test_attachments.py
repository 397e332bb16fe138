"""Attachments are accepted only when their bytes are a whole PDF, JPEG or PNG under the cap."""

from __future__ import annotations

import hashlib

import pytest

from app.storage import attachments as att

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.mark.parametrize(
    ("data", "mime"), [(PDF, att.PDF), (JPEG, att.JPEG), (PNG, att.PNG)]
)
def test_whole_files_of_the_allowed_kinds_are_accepted(data, mime):
    checked = att.check_attachment("scan", data)
    assert checked.mime == mime
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_a_renamed_file_of_another_kind_is_refused():
    with pytest.raises(att.AttachmentTypeNotAllowed) as info:
        att.check_attachment("kk.pdf", b"PK\x03\x04 this is a zip, not a pdf")
    assert "kk.pdf" in info.value.message()
    assert "PDF, JPEG, atau PNG" in info.value.message()


@pytest.mark.parametrize("data", [PDF[:-8], JPEG[:-2], PNG[:-6]])
def test_truncated_files_are_refused(data):
    with pytest.raises(att.AttachmentIncomplete):
        att.check_attachment("ktp", data)


def test_files_over_the_cap_are_refused_with_the_sizes():
    data = b"%PDF-1.7\n" + b"0" * att.MAX_ATTACHMENT_BYTES + b"\n%%EOF"
    with pytest.raises(att.AttachmentTooLarge) as info:
        att.check_attachment("besar.pdf", data)
    assert info.value.params["limit_mb"] == "10.0"
    assert "10.0 MB" in info.value.message()


def test_the_message_never_leaks_through_str():
    error = att.AttachmentTypeNotAllowed(filename="3571014708850003.exe")
    assert "3571014708850003" not in str(error)
