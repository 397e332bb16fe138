"""Pengaduan: due dates in WIB days, the status table, overdue and due-soon flags."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.domain.complaint import (
    RESPONSE_DAYS,
    ComplaintCategory,
    ComplaintStatus,
    IllegalComplaintTransition,
    MissingDescription,
    MissingOutcome,
    MissingReporterName,
    close,
    is_due_soon,
    is_overdue,
    new_complaint,
    resolve,
    start,
)
from app.domain.nik import InvalidNik
from app.domain.validation import ValidationFailed

RECEIVED = datetime(2025, 6, 2, 3, 0)  # 10:00 WIB, naive UTC as stored
C = ComplaintStatus


def complaint(**kw):
    values = dict(
        category=ComplaintCategory.SALAH_SASARAN,
        reporter_name="Pak Slamet",
        reporter_contact="0812-3456-7890",
        description="Tetangga yang mampu menerima PKH.",
        received_at=RECEIVED,
    )
    values.update(kw)
    return new_complaint(**values)


def test_a_new_complaint_is_baru_with_its_due_date():
    c = complaint(subject_nik="3575 0347 0885 0003", id=uuid.UUID(int=5))
    assert c.id == uuid.UUID(int=5)
    assert c.status is C.BARU and c.outcome is None and c.assigned_to is None
    assert c.subject_nik == "3575034708850003"
    assert c.due_date == date(2025, 6, 16)  # 14 days
    assert c.received_at == RECEIVED


def test_response_days_per_category():
    assert RESPONSE_DAYS[ComplaintCategory.DATA_SALAH] == 7
    assert set(RESPONSE_DAYS) == set(ComplaintCategory)
    assert complaint(category=ComplaintCategory.DATA_SALAH).due_date == date(2025, 6, 9)
    assert complaint(category="belum_terdaftar").due_date == date(2025, 6, 16)


def test_due_date_counts_wib_days():
    # 18:30 UTC on 1 June is already 01:30 WIB on 2 June.
    late = complaint(category=ComplaintCategory.DATA_SALAH, received_at=datetime(2025, 6, 1, 18, 30))
    assert late.due_date == date(2025, 6, 9)
    aware = complaint(
        category=ComplaintCategory.DATA_SALAH,
        received_at=datetime(2025, 6, 2, 1, 30, tzinfo=timezone(timedelta(hours=7))),
    )
    assert aware.due_date == date(2025, 6, 9)
    assert aware.received_at == datetime(2025, 6, 1, 18, 30)  # stored as naive UTC


def test_reporter_name_and_description_are_required():
    with pytest.raises(ValidationFailed) as info:
        complaint(reporter_name=" ", description="")
    assert [(i.field, type(i.error)) for i in info.value.report] == [
        ("reporter_name", MissingReporterName), ("description", MissingDescription),
    ]


def test_a_subject_nik_must_be_well_formed_but_is_optional():
    assert complaint(subject_nik=None).subject_nik is None
    assert complaint(subject_nik="").subject_nik is None
    with pytest.raises(ValidationFailed) as info:
        complaint(subject_nik="12345")
    assert [(i.field, type(i.error)) for i in info.value.report] == [("subject_nik", InvalidNik)]


def test_the_life_of_a_complaint():
    c = start(complaint(), assigned_to="op-1")
    assert (c.status, c.assigned_to) == (C.DIPROSES, "op-1")
    c = resolve(c, "  Sudah diusulkan sanggahan USK-0000-001Y. ")
    assert (c.status, c.outcome) == (C.SELESAI, "Sudah diusulkan sanggahan USK-0000-001Y.")
    reopened = start(c, assigned_to="op-2")  # the citizen disagreed
    assert reopened.status is C.DIPROSES
    closed = close(c)
    assert (closed.status, closed.outcome) == (C.DITUTUP, c.outcome)


def test_resolve_needs_an_outcome():
    c = start(complaint(), assigned_to="op-1")
    for empty in ("", "   ", None):
        with pytest.raises(MissingOutcome):
            resolve(c, empty)


def test_closing_an_unresolved_complaint_needs_an_outcome():
    with pytest.raises(MissingOutcome):
        close(complaint())
    assert close(complaint(), "Pengaduan ganda").outcome == "Pengaduan ganda"


@pytest.mark.parametrize(
    "move",
    [
        lambda c: resolve(c, "x"),  # baru -> selesai skips the handling
        lambda c: start(close(c, "x"), assigned_to="op"),  # ditutup is final
        lambda c: close(close(c, "x"), "y"),
    ],
)
def test_illegal_status_changes(move):
    with pytest.raises(IllegalComplaintTransition) as info:
        move(complaint())
    assert "tidak dapat diubah menjadi" in info.value.message()


def test_overdue_and_due_soon():
    c = complaint(category=ComplaintCategory.DATA_SALAH)  # due 9 June
    assert not is_overdue(c, date(2025, 6, 9))
    assert is_overdue(c, date(2025, 6, 10))
    assert is_due_soon(c, date(2025, 6, 6)) and is_due_soon(c, date(2025, 6, 9))
    assert not is_due_soon(c, date(2025, 6, 5))
    assert not is_due_soon(c, date(2025, 6, 10))  # overdue, not "soon"
    assert is_due_soon(c, date(2025, 6, 2), days=7)


def test_finished_complaints_are_never_overdue():
    done = resolve(start(complaint(), assigned_to="op"), "Selesai")
    later = date(2026, 1, 1)
    assert not is_overdue(done, later) and not is_due_soon(done, date(2025, 6, 15))
    assert not is_overdue(close(done), later)
    assert is_overdue(start(complaint(), assigned_to="op"), later)


def test_enum_values_are_stable():
    assert [c.value for c in ComplaintCategory] == [
        "salah_sasaran", "belum_terdaftar", "bantuan_tidak_diterima", "data_salah", "pelayanan",
        "lainnya",
    ]
    assert [s.value for s in ComplaintStatus] == ["baru", "diproses", "selesai", "ditutup"]


def test_utc_now_style_timestamps_work():
    now = datetime.now(UTC).replace(tzinfo=None)
    assert complaint(received_at=now).received_at == now
