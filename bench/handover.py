"""Handover benchmark: 200 open items through the handover wizard, against a plain move of the same items.

Run: .venv/bin/python -m bench.handover [--items 200]
Builds an office (test-sized Argon2id, so unlocking does not swamp the figures), gives the
leaving operator ``--items`` pieces of open work of every kind, drives HandoverWizard the way an
operator would (counting each click or typed phrase), and prints:
  * operator steps with the bulk tools against one row at a time, and an estimate of minutes;
  * machine time per phase (listing, handover transaction, record + signature, PDF, countersign),
    each against the baseline measured in the same run: move_all_open_work of the same items with
    no UI, no notes and no record.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert  # noqa: E402

from app.services import lurah as lurah_service
from app.services import autosave, complaints, journal  # noqa: E402
from app.services.synthetic import households  # noqa: E402
from app.storage.models import Household, Member, Proposal  # noqa: E402
from app.storage.search import name_key  # noqa: E402

VILLAGE = "35.75.03.1009"
LURAH_PASS, A_PASS, B_PASS = "sandi lurah bench", "sandi operator ani", "sandi operator budi"
PROPOSAL_STATES = ("draft", "muskel", "returned", "queued")
# Operator-time assumptions (stated in the output).
SECONDS_PER_STEP = 2  # a click, a selection, a short pick from a list
SECONDS_PER_NOTE = 20  # writing one note of a sentence or two
SECONDS_PER_PASTE = 5  # pasting a note already written, one row at a time


def seed_open_work(ctx, count: int = 200, *, seed: int = 23) -> Counter:
    """Give ``ctx``'s operator ``count`` open items: 60% proposals, 15% complaints, 15% next actions, 10% forms."""
    n_complaints = n_actions = count * 15 // 100
    n_forms = count // 10
    n_proposals = count - n_complaints - n_actions - n_forms
    start = datetime(2026, 1, 5)
    rows_p, rows_h, rows_m = [], [], []
    member_id = 20_000_000
    for index, hh in enumerate(households(n_proposals, seed=seed)):
        pid = str(uuid.uuid4())
        moment = start + timedelta(minutes=index)
        rows_p.append(dict(
            id=pid, tracking_code=f"H{index:09d}", kind="baru", state=PROPOSAL_STATES[index % len(PROPOSAL_STATES)],
            version=1, programmes=["pkh"], changes=[], confirmed_warnings=[], created_by=ctx.operator_id,
            assigned_to=ctx.operator_id, created_at=moment, updated_at=moment, desil=3,
        ))
        household_id = 20_000_000 + index
        rows_h.append(dict(id=household_id, proposal_id=pid, kk_number=hh.kk_number, address=hh.address,
                           rt=hh.rt, rw=hh.rw, village_code=VILLAGE))
        for position, m in enumerate(hh.members):
            member_id += 1
            rows_m.append(dict(id=member_id, household_id=household_id, position=position, nik=m.nik,
                               name=m.name, name_key=name_key(m.name), sex=m.sex, birth_place=m.birth_place,
                               birth_date=m.birth_date, relation=m.relation, mother_name=m.mother_name))
    with ctx.engine.begin() as conn:
        conn.execute(insert(Proposal), rows_p)
        conn.execute(insert(Household), rows_h)
        conn.execute(insert(Member), rows_m)
    categories = ("salah_sasaran", "belum_terdaftar", "bantuan_tidak_diterima", "data_salah")
    for i in range(n_complaints):
        made = complaints.register_complaint(ctx, category=categories[i % len(categories)],
                                             reporter_name=f"Warga {i}", description="Bantuan belum diterima")
        complaints.assign_complaint(ctx, made.id, ctx.operator_id)
    for i in range(n_actions):
        journal.add_entry(ctx, subject_type="household", subject_id=rows_h[i % len(rows_h)]["kk_number"],
                          kind="next_action", text=f"Kunjungi rumah untuk cek lapangan {i}",
                          due_date=date(2026, 2, 1) + timedelta(days=i % 20))
    for i in range(n_forms):
        autosave.save_form(ctx, f"proposal:new:{i}", f"Usulan belum selesai {i}", {"kk": f"3575{i:04d}"})
    return Counter(proposal=n_proposals, complaint=n_complaints, next_action=n_actions, form_draft=n_forms)


def make_office(folder: Path, kdf):
    """An office with the Lurah, Ani (leaving, with a certified key) and Budi; returns (created, a, b_id, lurah)."""
    from app.services import keys as office_keys
    from app.services import operators
    from app.services.office import create_office, open_office
    from app.storage.sync_models import SyncLink

    created = create_office(folder, name="Kelurahan Bugul Kidul", village_code=VILLAGE, lurah_name="Bu Lurah",
                            lurah_passphrase=LURAH_PASS, operator_name="Ani Operator", operator_passphrase=A_PASS,
                            kdf=kdf)
    lurah = open_office(folder, created.lurah_id, LURAH_PASS)
    # A stand-in for importing the Dinsos provisioning document: certificates need the server's office id.
    with lurah.transaction() as session:
        session.add(SyncLink(id=1, server_office_id=str(uuid.uuid4()), root_public_key=b"\0" * 32,
                             status_cursor=0, imported_at=lurah.clock()))
    office_keys.certify_operator(lurah, created.operator_id)
    b_id = operators.enrol_operator(lurah, name="Budi Operator", role="operator", passphrase=B_PASS,
                                    confirmation=lurah_service.confirm(lurah, LURAH_PASS, purpose=lurah_service.Purpose.ENROL),
                                    kdf=kdf).operator_id
    a = open_office(folder, created.operator_id, A_PASS)
    return created, a, b_id, lurah


class Steps:
    """What the operator does, counted: a click, a pick from a list, or one typed phrase."""

    def __init__(self) -> None:
        self.count = 0
        self.notes_typed = 0

    def step(self, n: int = 1) -> None:
        self.count += n

    def note(self) -> None:
        self.count += 1
        self.notes_typed += 1


class Timer:
    def __init__(self) -> None:
        self.spent: Counter = Counter()

    @contextmanager
    def phase(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] += time.perf_counter() - started

    def wrap(self, module, attr: str, name: str):
        original = getattr(module, attr)

        def timed(*args, **kwargs):
            with self.phase(name):
                return original(*args, **kwargs)

        setattr(module, attr, timed)
        return original


def drive_wizard(wizard, steps: Steps, timer: Timer, pdf_path: Path, lurah_passphrase: str,
                 individual_notes: int) -> None:
    """Page by page as an operator would, with the bulk tools; ``steps`` counts what they did."""
    from app.ui.handover_wizard import POOL, HandoverModel
    from app.ui.qt import QApplication

    page = wizard.work_page
    with timer.phase("listing"):
        wizard.show()
        QApplication.processEvents()
    model = page.model
    steps.step()  # check the main successor proposed (the first fellow operator)
    # Complaints to the office pool: filter by type, pick the pool, assign all shown.
    groups = (("Pengaduan", POOL, "Warga sudah ditelepon; tunggu jawaban Dinsos."),
              ("Usulan", None, "Berkas lengkap di map biru; cek status di Usulkan."),
              ("Tindak lanjut", None, "Jadwal kunjungan sudah disepakati dengan RT."),
              ("Formulir belum selesai", None, "Lanjutkan isian; KK sudah difotokopi."))
    for type_text, target, note in groups:
        page.filter.setText(type_text)
        steps.step()
        if target is not None:
            page.bulk_target.setCurrentIndex(page.bulk_target.findData(target))
            page.assign_all()
            steps.step(2)
        page.table.selectAll()
        page.bulk_note.setText(note)
        page.apply_note_to_selected()
        steps.step(2)
        steps.note()
    page.filter.clear()
    steps.step()
    # A sentence of its own on some items (double-click the note cell, type, Enter).
    for r in range(0, len(model.rows), max(1, len(model.rows) // max(1, individual_notes)))[:individual_notes]:
        model.setData(model.index(r, HandoverModel.NOTE), f"Catatan khusus: {model.rows[r].note} (baris {r + 1})")
        steps.step()
        steps.note()
    wizard.next()  # to the review
    steps.step()
    wizard.next()  # "hand over now": the work runs (inline) on entering page 3
    steps.step()
    if wizard.session.record_id is None:
        raise RuntimeError(wizard.perform_page.status.text())
    with timer.phase("save PDF file"):
        wizard.perform_page.save_pdf(pdf_path)
    steps.step(2)  # the button, then Save in the file dialog (default name kept)
    wizard.next()  # to the Lurah
    steps.step()
    lurah = wizard.lurah_page
    lurah.passphrase.setText(lurah_passphrase)
    with timer.phase("countersign (unlock + sign + PDF)"):
        lurah.countersign()
    steps.step(2)
    if not (wizard.session.view and wizard.session.view.lurah_signed):
        raise RuntimeError(lurah.status.text())
    wizard.accept()  # Finish; revocation "later"
    steps.step()


def one_by_one_steps(items: int, retargeted: int, fixed: int) -> int:
    """The same handover without bulk tools: per row a note typed or pasted (2 steps), per change of target 2."""
    return 2 * items + 2 * retargeted + fixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--individual-notes", type=int, default=20)
    args = parser.parse_args()

    from app.services import handover, handover_report
    from app.storage.vault import KdfParams
    from app.ui import handover_wizard
    from app.ui.handover_wizard import steps as handover_steps
    from app.ui.qt import QApplication
    from app.ui.state import AppState
    from app.ui.tasks import InlineRunner

    qapp = QApplication.instance() or QApplication([])
    kdf = KdfParams.for_tests()
    with tempfile.TemporaryDirectory(prefix="usulkan-bench-handover-") as tmp:
        tmp_path = Path(tmp)
        _created, a, b_id, lurah = make_office(tmp_path / "office", kdf)
        kinds = seed_open_work(a, args.items)
        total = sum(kinds.values())

        # Baseline, same office, same items: the Lurah's one-step move, there and back (no notes, no record).
        started = time.perf_counter()
        handover.move_all_open_work(lurah, a.operator_id, b_id)
        baseline = time.perf_counter() - started
        handover.move_all_open_work(lurah, b_id, a.operator_id)
        # Forms that went to Budi come back too; the Lurah's copy of any form stays put (none here).
        lurah.close()

        timer = Timer()
        timer.wrap(handover, "hand_over_in", "handover (reassign + notes)")
        timer.wrap(handover_report, "record_in", "record + operator signature")
        timer.wrap(handover_steps, "handover_pdf", "PDF rendering (signed + countersigned)")
        state = AppState(tmp_path / "office", runner=InlineRunner())
        state.sign_in(a)
        steps = Steps()
        with timer.phase("wizard total"):
            wizard = handover_wizard.HandoverWizard(state, open_files=False)
            drive_wizard(wizard, steps, timer, tmp_path / "serah-terima.pdf", LURAH_PASS, args.individual_notes)
        with timer.phase("verify record"):
            checked = handover_report.verify_record(a, wizard.session.record_id)
        # The run counts only if the wizard did what the steps claim.
        assert len(checked.items) == total and all(line.note for line in checked.items), "notes missing"
        assert sum(line.to_operator is None for line in checked.items) == kinds["complaint"], "pool wrong"
        assert checked.operator_signed and checked.lurah_signed
        pdf_bytes = (tmp_path / "serah-terima.pdf").stat().st_size
        retargeted = kinds["complaint"]
        fixed = 9  # successor check, Next, Hand over, Save + dialog, Continue, passphrase + Countersign, Finish
        manual = one_by_one_steps(total, retargeted, fixed)
        bulk_minutes = (steps.notes_typed * SECONDS_PER_NOTE + (steps.count - steps.notes_typed) * SECONDS_PER_STEP) / 60
        group_rows = total - args.individual_notes
        manual_minutes = ((args.individual_notes + len(kinds)) * SECONDS_PER_NOTE
                          + (group_rows - len(kinds)) * SECONDS_PER_PASTE
                          + (manual - total) * SECONDS_PER_STEP) / 60
        wizard.close()
        state.sign_out()

    spent = timer.spent
    print(f"\nbench/handover: {total} open items ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"cpu count {os.cpu_count()}\n")
    print(f"{'operator':48} {'bulk tools':>12} {'one by one':>12} {'ratio':>7}")
    print("-" * 82)
    print(f"{'steps (clicks / typed phrases)':48} {steps.count:>12} {manual:>12} {steps.count / manual:>7.2f}")
    print(f"{'estimated operator minutes':48} {bulk_minutes:>12.1f} {manual_minutes:>12.1f} "
          f"{bulk_minutes / manual_minutes:>7.2f}")
    print(f"\n{'machine time (ms)':48} {'value':>12} {'baseline':>12} {'ratio':>7}")
    print("-" * 82)
    for name in ("listing", "handover (reassign + notes)", "record + operator signature",
                 "PDF rendering (signed + countersigned)",
                 "save PDF file", "countersign (unlock + sign + PDF)", "verify record", "wizard total"):
        print(f"{name:48} {spent[name] * 1000:>12.1f} {baseline * 1000:>12.1f} {spent[name] / baseline:>7.2f}")
    print(f"\nbaseline: move_all_open_work of the same {total} items, no UI, no notes, no record "
          f"({baseline * 1000:.1f} ms). PDF: {pdf_bytes:,} bytes.")
    print(f"assumptions: {SECONDS_PER_NOTE} s per written note, {SECONDS_PER_PASTE} s per pasted repeat note "
          f"(one by one), {SECONDS_PER_STEP} s per other step; bulk: {len(kinds)} notes for whole groups + "
          f"{args.individual_notes} individual notes; complaints go to the office pool.")
    qapp.processEvents()


if __name__ == "__main__":
    main()
