"""Ground checks end to end: assignment out to one field person, results back signed, merged field by field."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.domain.workflow import RoleNotAllowed
from app.services import field, field_laptop, operators, outbox, proposal_io, proposals
from app.services.office import open_office
from app.storage.field_models import FieldResultRow
from app.sync import field as files
from app.sync.canonical import b64url_decode, b64url_encode, canonical_bytes
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.field import DUE, FIELD_PASS, KK1, KK2, START, enrol_field
from tests.fakes.field import income as _income

@pytest.fixture
def world(linked, lurah, created_office, fast_kdf):
    folder = created_office[0]
    citra = enrol_field(lurah, folder, "Citra Lapangan", fast_kdf)
    dodi = enrol_field(lurah, folder, "Dodi Lapangan", fast_kdf)
    start = {**START, "income_band": _income(0)}
    field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3", values=start)
    field.record_household(linked, KK2, head_name="Budi Santoso", address="Jl. Melati 9", values=start)
    yield linked, citra, dodi
    citra.close()
    dodi.close()


def record(assignment, kk, **changes):
    household = next(h for h in assignment.households if h.kk_number == kk)
    return files.ResultRecord(kk, household.base_version, {**household.base_values, **changes},
                              assignment.issued_at + timedelta(days=1),
                              (files.Photo("front", b"\xff\xd8 depan " + kk.encode()),), "-7.6453", "112.9075",
                              "Sudah dicek")


def test_field_staff_cannot_do_operator_work(world):
    office, citra, _ = world
    draft = proposal_io.proposal_from_dict(factories.household_with(["3575034708850001"]))
    with pytest.raises(RoleNotAllowed):
        proposals.add_proposal(citra, draft)
    summary = proposals.add_proposal(office, draft)
    with pytest.raises(RoleNotAllowed):
        outbox.queue_proposal(citra, summary.id)
    with pytest.raises(RoleNotAllowed):
        field.write_assignment(citra, citra.operator_id, [KK1], DUE)
    with pytest.raises(field_laptop.FieldStaffOnly):
        field_laptop.ensure_box_key(office)


def test_end_to_end_with_a_conflict_decided_by_the_operator(world):
    office, citra, dodi = world
    data = field.write_assignment(office, citra.operator_id, [KK1, KK2], DUE)
    with pytest.raises(files.FieldFileRefused) as err:
        field_laptop.open_assignment(dodi, data)  # another person: opens nothing
    assert err.value.reason == "not_for_you"
    assignment = field_laptop.open_assignment(citra, data)
    assert {h.kk_number for h in assignment.households} == {KK1, KK2}
    assert assignment.households[0].base_values["floor_material"] == "earth"
    # Meanwhile the office changes KK1's walls.
    field.record_household(office, KK1, head_name="Siti Aminah", address="Jl. Mawar 3",
                           values={"wall_material": "masonry"})
    results = field_laptop.write_results(citra, assignment, [
        record(assignment, KK1, floor_material="cement_brick", wall_material="wood_board"),
        record(assignment, KK2, floor_material="ceramic_marble", income_band=_income(2)),
    ])
    report = field.import_results(office, results)
    assert (report.already_imported, report.households, report.applied) == (False, 2, 2)
    kk1, kk2 = field.get_household(office, KK1), field.get_household(office, KK2)
    assert kk1.values["floor_material"] == "cement_brick" and kk1.values["wall_material"] == "masonry"
    assert kk2.values["floor_material"] == "ceramic_marble" and kk2.values["income_band"] == _income(0)
    pending = {(c.kk_number, c.variable): c for c in field.conflicts(office)}
    assert set(pending) == {(KK1, "wall_material"), (KK2, "income_band")}
    assert pending[(KK2, "income_band")].reason == "eligibility"
    field.decide(office, pending[(KK1, "wall_material")], "wood_board")  # pakai nilai lapangan
    field.decide(office, pending[(KK2, "income_band")], _income(0))  # pakai nilai kantor
    assert field.get_household(office, KK1).values["wall_material"] == "wood_board"
    assert field.get_household(office, KK2).values["income_band"] == _income(0)
    assert field.conflicts(office) == []
    # The same file again changes nothing.
    before = (field.get_household(office, KK1), field.get_household(office, KK2))
    again = field.import_results(office, results)
    assert again.already_imported and (field.get_household(office, KK1), field.get_household(office, KK2)) == before


def test_tampered_or_foreign_results_change_nothing(world):
    office, citra, dodi = world
    data = field.write_assignment(office, citra.operator_id, [KK1], DUE)
    assignment = field_laptop.open_assignment(citra, data)
    results = field_laptop.write_results(citra, assignment, [record(assignment, KK1, floor_material="cement_brick")])
    obj = json.loads(results)
    sealed = bytearray(b64url_decode(obj["sealed"]))
    sealed[40] ^= 0x20
    obj["sealed"] = b64url_encode(bytes(sealed))
    with pytest.raises(files.FieldFileRefused):
        field.import_results(office, canonical_bytes(obj))
    # Dodi signs results for Citra's assignment: not his assignment.
    forged = files.Assignment(**{**assignment.__dict__, "person_id": dodi.operator_id})
    with pytest.raises(field_laptop.FieldStaffOnly):
        field_laptop.write_results(dodi, assignment, [record(assignment, KK1)])
    wrong = field_laptop.write_results(dodi, forged, [record(assignment, KK1, floor_material="tile_terrazzo")])
    with pytest.raises(field.ResultsNotOurs):
        field.import_results(office, wrong)
    # A household that was not assigned.
    stray = field_laptop.write_results(citra, assignment, [
        files.ResultRecord(KK2, 2, dict(START), assignment.issued_at)])
    with pytest.raises(field.ResultsDoNotMatch):
        field.import_results(office, stray)
    assert field.get_household(office, KK1).values["floor_material"] == "earth"
    with office.reading() as session:
        assert session.scalar(select(func.count()).select_from(FieldResultRow)) == 0


def test_remarks_ride_on_the_next_assignment(world):
    office, citra, _ = world
    field.add_remark(office, citra.operator_id, KK1, "question", "Foto KK buram, tolong ulangi")
    first = field_laptop.open_assignment(citra, field.write_assignment(office, citra.operator_id, [KK1],
                                                                       DUE))
    assert first.households[0].remarks == (files.Remark("question", "Foto KK buram, tolong ulangi"),)
    second = field_laptop.open_assignment(citra, field.write_assignment(office, citra.operator_id, [KK1],
                                                                        DUE))
    assert second.households[0].remarks == ()


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(order=st.permutations([0, 1, 2]), repeat=st.lists(st.integers(0, 2), max_size=2))
def test_any_order_and_repeat_of_results_files_converges(linked, lurah, created_office, fast_kdf, order, repeat):
    # One office per example would be slow; each example uses fresh households instead.
    folder = created_office[0]
    people = field.field_people(linked)
    if not people:
        enrol_field(lurah, folder, "Citra Lapangan", fast_kdf).close()
        people = field.field_people(linked)
    citra = open_office(folder, people[0].id, FIELD_PASS)
    try:
        states = []
        for sequence in (order, [0, 1, 2]):
            kk = f"35750312010{len(field.list_households(linked)):05d}"
            field.record_household(linked, kk, head_name="Uji", address="Jl. Uji", values=dict(START))
            files_out = []
            for changes in ({"floor_material": "cement_brick"}, {"wall_material": "masonry"},
                            {"floor_material": "wood_board"}):
                a = field_laptop.open_assignment(citra, field.write_assignment(linked, citra.operator_id, [kk],
                                                                               DUE))
                files_out.append(field_laptop.write_results(citra, a, [record(a, kk, **changes)]))
            for index in [*sequence, *repeat]:
                field.import_results(linked, files_out[index])
            conflicts = [(c.variable, c.field_values) for c in field.conflicts(linked) if c.kk_number == kk]
            states.append((field.get_household(linked, kk).values, conflicts))
        assert states[0] == states[1]
    finally:
        citra.close()


def test_a_box_key_planted_by_an_operator_is_never_sealed_to(world):
    # The operator holds the data key and adds a "box key" for Citra, signed by the operator's own key.
    from app.services import keys as office_keys
    from app.storage.field_models import FieldBoxKey
    from app.sync import keys

    office, citra, _ = world
    planted = keys.generate_x25519()
    with office.transaction() as session:
        box = files.issue_box_key(office_keys.signer_in(office, session), office_id=office_keys.server_office_id(session),
                                  person_id=citra.operator_id, public_key=keys.public_bytes(planted.public_key()),
                                  issued_at=office.clock())
        session.add(FieldBoxKey(person_id=citra.operator_id, statement=box.to_bytes().decode(), created_at=office.clock()))
    data = field.write_assignment(office, citra.operator_id, [KK1], DUE)
    with pytest.raises(files.FieldFileRefused):
        files.open_assignment(data, planted, office_id=box.office_id, person_id=citra.operator_id,
                              authority=b"\x00" * 32)
    assert field_laptop.open_assignment(citra, data).households[0].kk_number == KK1


def test_an_operator_is_not_field_staff(world):
    office, _, _ = world
    with pytest.raises(field.NotFieldStaff):
        field.write_assignment(office, office.operator_id, [KK1], DUE)


def test_results_of_a_revoked_field_person_are_refused(world):
    office, citra, _ = world
    assignment = field_laptop.open_assignment(citra, field.write_assignment(office, citra.operator_id, [KK1],
                                                                            DUE))
    results = field_laptop.write_results(citra, assignment, [record(assignment, KK1, floor_material="cement_brick")])
    # What revocation leaves in the database (the re-key needs every other window closed, which
    # this world of open sessions does not allow): the person inactive.
    from app.storage.models import Operator
    with office.transaction() as session:
        session.get(Operator, citra.operator_id).active = False
    with pytest.raises(files.FieldFileRefused) as err:
        field.import_results(office, results)
    assert err.value.reason == "not_certified"
    assert field.get_household(office, KK1).values["floor_material"] == "earth"


def test_a_pembaruan_sent_to_ground_check_becomes_a_household_to_assign(world):
    from app.domain import workflow

    office, citra, _ = world
    data = factories.household_with(["3575034708850003"], kk="3575031203100077")
    data.update(kind="pembaruan", programmes=[],
                changes=[{"variable": "floor_material", "old": "ceramic_marble", "new": "earth"}])
    summary = proposals.add_proposal(office, proposal_io.proposal_from_dict(data))
    proposals.apply_action(office, summary.id, workflow.Action.SEND_TO_GROUND_CHECK)
    assert field.take_in_ground_checks(office) == ["3575031203100077"]
    assert field.take_in_ground_checks(office) == []  # once
    record = field.get_household(office, "3575031203100077")
    assert record.values == {"floor_material": "ceramic_marble"} and record.version == 1
    assignment = field_laptop.open_assignment(citra, field.write_assignment(office, citra.operator_id,
                                                                            [record.kk_number], DUE))
    assert assignment.households[0].base_values == {"floor_material": "ceramic_marble"}


def test_the_first_sign_in_makes_the_field_key_once(world):
    office, citra, _ = world
    from app.storage.field_models import FieldBoxKey

    with office.reading() as session:
        rows = session.scalars(select(FieldBoxKey).where(FieldBoxKey.person_id == citra.operator_id)).all()
    assert len(rows) == 1
    assert field_laptop.ensure_box_key(citra) == files.BoxKey.from_bytes(rows[0].statement.encode()).public_key
    assert [p.has_key for p in field.field_people(office)] == [True, True]


def test_a_due_date_in_the_past_is_refused(world):
    office, citra, _ = world
    with pytest.raises(field.DueDatePassed):
        field.write_assignment(office, citra.operator_id, [KK1], date.today() - timedelta(days=2))


def test_a_result_may_change_only_the_variables_assigned(world):
    office, citra, _ = world
    data = field.write_assignment(office, citra.operator_id, [KK1], DUE, variables=("floor_material",))
    assignment = field_laptop.open_assignment(citra, data)
    assert assignment.households[0].variables == ("floor_material",)
    beyond = field_laptop.write_results(citra, assignment, [record(assignment, KK1, wall_material="masonry")])
    with pytest.raises(field.ResultsDoNotMatch):
        field.import_results(office, beyond)
    assert field.get_household(office, KK1).values["wall_material"] == "bamboo"


def test_an_office_correction_after_the_merge_does_not_bring_back_a_conflict(world):
    office, citra, _ = world
    assignment = field_laptop.open_assignment(citra, field.write_assignment(office, citra.operator_id, [KK1], DUE))
    field.import_results(office, field_laptop.write_results(citra, assignment, [
        record(assignment, KK1, floor_material="cement_brick")]))
    assert field.get_household(office, KK1).values["floor_material"] == "cement_brick"
    field.record_household(office, KK1, head_name="Siti Aminah", address="Jl. Mawar 3",
                           values={"floor_material": "ceramic_marble"})
    assert field.get_household(office, KK1).values["floor_material"] == "ceramic_marble"
    assert field.conflicts(office) == []
    # A new result on that field is compared with the office's new value.
    again = field_laptop.open_assignment(citra, field.write_assignment(office, citra.operator_id, [KK1], DUE))
    field.import_results(office, field_laptop.write_results(citra, again, [
        record(again, KK1, floor_material="wood_board")]))
    assert field.get_household(office, KK1).values["floor_material"] == "wood_board"
