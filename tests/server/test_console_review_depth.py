"""The review page in depth: household and members in words (not payload keys), an update's changes
old beside new, every version, and the item's whole history with the office; the read is audited."""

from __future__ import annotations

import json
import uuid

from console_helpers import csrf, received, signed_in, staff
from sqlalchemy import select

from app.server.ingest import ingest
from app.server.models import AuditEntry
from app.sync.batch import BatchItem
from bench.server_world import nik, proposal


def _member(**extra) -> dict:
    return {"nik": nik(1), "name": "SITI AMINAH", "relationship": "kepala_keluarga", "sex": "P",
            "birth_place": "PASURUAN", "birth_date": "1990-01-01", "mother_name": "MURNI", **extra}


def _send(kelurahan, payload: dict, *, version: int = 1, base_id: str | None = None) -> str:
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload=payload, route="muskel",
                            version=version, base_id=base_id)
    sealed, _, _ = kelurahan.batch([item])
    ingest(kelurahan.ctx, sealed)
    return item.item_id


def test_household_and_members_show_in_words_not_keys(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    payload = proposal(nik(1))
    payload["household"]["members"] = [_member(), _member(nik=nik(2), name="BUDI", relationship="anak", sex="L")]
    payload["programmes"] = ["pbi_jk", "pkh"]
    item_id = _send(kelurahan, payload)
    page = signed_in(ctx, "vera").get(f"/console/items/{item_id}").text
    for words in ("Kepala Keluarga", "Anak", "Perempuan", "Laki-laki", "Tanggal lahir", "Nama ibu kandung",
                  "Hubungan keluarga", "PBI-JK, PKH", "Desil di DTSEN"):
        assert words in page, words
    for raw in ("kepala_keluarga", "birth_date", "mother_name", "pbi_jk", ">anak<"):
        assert raw not in page, raw


def test_an_update_shows_old_beside_new_every_version_and_the_history(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    first = proposal(nik(1), kind="pembaruan")
    first["household"]["members"] = [_member()]
    first["changes"] = [{"variable": "floor_material", "old": "ceramic_marble", "new": "earth"}]
    v1 = _send(kelurahan, first)
    client = signed_in(ctx, "vera")
    client.post(f"/console/items/{v1}/decide", data={"csrf": csrf(client, f"/console/items/{v1}"),
                                                     "action": "return", "reason": "foto_rumah_buram",
                                                     "expected_state": "received"})
    second = json.loads(json.dumps(first))
    second["household"]["address"] = "JL. MAWAR NO. 1"
    second["household"]["members"][0]["birth_date"] = "1990-02-01"
    v2 = _send(kelurahan, second, version=2, base_id=v1)
    page = client.get(f"/console/items/{v2}").text
    proposed = page[page.index('id="proposed"'):page.index('id="changes"')]
    assert "Bahan lantai utama" in proposed or "lantai" in proposed.lower()
    assert "Tanah" in proposed and "Keramik" in proposed
    changes = page[page.index('id="changes"'):page.index("</section>", page.index('id="changes"'))]
    assert "Alamat" in changes and "JL. PAHLAWAN NO. 7" in changes and "JL. MAWAR NO. 1" in changes
    assert "Anggota 1, Tanggal lahir" in changes and "1990-02-01" in changes
    assert "household.address" not in changes
    history = page[page.index('id="history"'):]
    assert "Dikirim oleh kelurahan (batch no. 1)" in history
    assert "Dikirim ulang oleh kelurahan (batch no. 2)" in history
    assert "foto_rumah_buram" in history and "vera" in history
    assert f'href="/console/items/{v1}">v1</a>' in page
    with ctx.reading() as session:
        reads = session.execute(select(AuditEntry).where(AuditEntry.action == "item_viewed",
                                                         AuditEntry.subject == v2)).scalars().all()
    assert [r.actor for r in reads] == ["staff:vera"]


def test_an_unknown_field_from_a_newer_office_is_shown_as_it_is(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    payload = proposal(nik(1))
    payload["household"]["members"] = [_member(disability="none")]
    payload["household"]["<script>"] = "<b>x</b>"
    item_id = _send(kelurahan, payload)
    page = signed_in(ctx, "vera").get(f"/console/items/{item_id}").text
    assert "disability" in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_the_page_of_an_item_with_a_bare_first_version(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(5)])
    page = signed_in(ctx, "vera").get(f"/console/items/{item_id}")
    assert page.status_code == 200 and 'id="changes"' not in page.text and 'id="proposed"' not in page.text


def test_english_when_the_reader_chose_it(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    payload = proposal(nik(1))
    payload["household"]["members"] = [_member()]
    item_id = _send(kelurahan, payload)
    client = signed_in(ctx, "vera")
    client.get("/console/lang/en?next=/console/inbox")
    page = client.get(f"/console/items/{item_id}").text
    assert "Head of family" in page and "Mother's name" in page.replace("&#39;", "'") and "Female" in page
    assert "Kepala Keluarga" not in page
    for path in ("/console/dashboard", "/console/upload"):
        assert client.get(path).status_code == 200
