"""One sync round: sign, send, pull; and the state the office shows, which never claims a contact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.services import dashboard, outbox, sync_run
from app.services.keys import NotProvisioned
from app.storage.models import Proposal
from app.sync.status import StatusReason
from tests.fakes.sync_world import queue_ready


def test_an_office_not_linked_to_dinsos_has_no_round(office, dinsos):
    with pytest.raises(NotProvisioned):
        sync_run.run_round(office, dinsos, now=utcnow())
    state = sync_run.sync_state(office)
    assert (state.linked, state.bound, state.last_contact_at) == (False, False, None)


def test_a_round_signs_sends_and_records_the_contact(linked, dinsos):
    queue_ready(linked, 1, 2)
    assert sync_run.sync_state(linked).items_waiting == 2
    now = utcnow()
    report = sync_run.run_round(linked, dinsos, now=now)
    assert len(report.built) == 1 and report.sent.delivered == report.built
    assert report.contact and report.error is None
    state = sync_run.sync_state(linked)
    assert (state.items_waiting, state.delivered, state.to_send) == (0, 1, 0)
    assert state.last_contact_at == now
    assert dashboard.overview(linked).last_dinsos_contact == state.last_contact_at


def test_an_unreachable_server_is_no_contact_and_the_queue_stays(linked, dinsos):
    first = utcnow()
    sync_run.run_round(linked, dinsos, now=first)  # nothing queued: Dinsos answers the status pull
    contact = sync_run.sync_state(linked).last_contact_at
    assert contact is not None
    queue_ready(linked, 3)
    dinsos.fail_next = 5
    report = sync_run.run_round(linked, dinsos, now=first + timedelta(minutes=5))
    assert (report.contact, report.error, report.sent.delivered) == (False, "unreachable", [])
    state = sync_run.sync_state(linked)
    assert state.last_contact_at == contact and state.last_error == "unreachable"
    assert state.items_waiting == 1 and state.to_send == 1 and state.next_attempt_at is not None
    # Later the network is back and the same batch goes.
    dinsos.fail_next = 0
    report = sync_run.run_round(linked, dinsos, now=first + timedelta(hours=2))
    assert len(report.sent.delivered) == 1 and sync_run.sync_state(linked).last_error is None


def test_dinsos_decisions_arrive_in_the_same_round(linked, dinsos):
    (pid,) = queue_ready(linked, 4)
    sync_run.run_round(linked, dinsos, now=utcnow())
    dinsos.decide(pid, "returned", [StatusReason("foto_buram", "Foto rumah buram.")])
    report = sync_run.run_round(linked, dinsos, now=utcnow())
    assert report.statuses_applied == 1
    with linked.reading() as session:
        assert session.get(Proposal, pid).state == "returned"


def test_the_lurah_without_a_certificate_still_sends_what_is_signed(linked, lurah, dinsos):
    queue_ready(linked, 5)
    outbox.build_batches(linked)
    queue_ready(linked, 6)  # queued but not signed yet: only an operator can sign it
    report = sync_run.run_round(lurah, dinsos, now=utcnow())
    assert report.not_certified and len(report.sent.delivered) == 1
    assert sync_run.sync_state(lurah).items_waiting == 1
    with lurah.reading() as session:
        assert session.scalars(select(Proposal.state).where(Proposal.state == "queued")).all() == ["queued"]
