"""The console's newer pages in a real browser (Playwright on Debian's Chromium against a real
`usulkan-server serve` process): a duplicate resolved as the same person (the other kelurahan's feed
carries the return), finalised after it, the walikota's approval with its decree, the dashboard's
charts, the SIKS-NG export downloaded, and a batch file uploaded from a "USB stick" with its receipt."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from tests.fakes.browser import CHROMIUM, PASSWORD, pytestmark, shot, sign_in  # noqa: F401 (pytestmark: skip without chromium)

from app.server import auth
from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import ingest
from app.sync.receipt import Receipt
from app.sync.status import StatusPage
from app.sync.transport_file import batch_file_name
from bench.server_world import enrol, nik


@pytest.fixture
def world(tmp_path):
    from app.cli.demo_dinsos import free_port, spawn_server

    folder = tmp_path / "dinsos"
    ctx = open_server(Settings(data_dir=folder))
    a, b = enrol(ctx, "Bugul Kidul"), enrol(ctx, "Tapaan", village="35.75.02.1004")
    sealed, _, signed = a.batch(a.items([nik(1), nik(2)]))
    ingest(ctx, sealed)
    sealed_b, _, signed_b = b.batch(b.items([nik(1)]))
    ingest(ctx, sealed_b)
    stick, _, later = a.batch(a.items([nik(3)]))  # brought on a USB stick, not sent
    usb = tmp_path / "usb" / batch_file_name(a.office_id, later.sequence)
    usb.parent.mkdir()
    usb.write_bytes(stick)
    for name, role in (("vera", "verifier"), ("kirana", "kepala"), ("adi", "admin")):
        auth.add_staff(ctx, username=name, password=PASSWORD, role=role)
    ctx.close()
    handle = spawn_server(folder, free_port())
    yield {"url": handle.url, "items": [i.item_id for i in signed.items], "theirs": signed_b.items[0].item_id,
           "b": b, "usb": usb, "tmp": tmp_path}
    handle.stop()


def _feed(world, office) -> list:
    answer = requests.get(f"{world['url']}/v1/offices/{office.office_id}/statuses", params={"after": 0},
                          headers={"Authorization": f"Bearer {office.feed_token}"}, timeout=10)
    return list(StatusPage.from_bytes(answer.content).updates)


def test_new_pages_in_a_real_browser(world):
    from playwright.sync_api import sync_playwright

    url, items = world["url"], world["items"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            vera = sign_in(browser, url, "vera")
            vera.goto(f"{url}/console/items/{items[0]}")
            section = vera.locator("#duplicates")
            assert "Kelurahan Tapaan" in section.inner_text() and section.locator("tr.hit").count() == 2
            assert "Kepala Keluarga" in vera.inner_text("main") and "kepala_keluarga" not in vera.content()
            shot(vera, "duplicate")
            vera.click("text=Orang yang sama: kembalikan satu")
            assert "Ditandai orang yang sama oleh vera" in vera.inner_text("#duplicates")
            assert [(u.item_id, u.state) for u in _feed(world, world["b"])] == [(world["theirs"], "returned")]
            vera.click("button[value=verify]")
            assert "Keputusan tersimpan" in vera.inner_text("main")

            kirana = sign_in(browser, url, "kirana")
            kirana.goto(f"{url}/console/items/{items[0]}")
            kirana.click("button[value=finalise]")
            assert "Keputusan tersimpan" in kirana.inner_text("main")

            adi = sign_in(browser, url, "adi")
            adi.goto(f"{url}/console/items/{items[0]}")
            adi.click("button[value=approve]")  # the browser itself refuses the empty required fields
            assert adi.locator("button[value=approve]").count() == 1
            adi.fill("input[name=decree_number]", "188.45/77/HK/2026")
            adi.fill("input[name=decree_date]", "2026-01-15")
            sk = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
            adi.set_input_files("input[name=decree_document]",
                                files=[{"name": "sk-walikota.pdf", "mimeType": "application/pdf", "buffer": sk}])
            adi.click("button[value=approve]")
            assert "SK no. 188.45/77/HK/2026 tanggal 2026-01-15" in adi.inner_text("#history")
            link = adi.locator("#history a.decree-document")
            assert link.count() == 1
            assert adi.request.get(url + link.get_attribute("href")).body() == sk  # the session's cookie opens it
            shot(adi, "decree")

            adi.click("text=Dasbor")
            assert adi.locator("svg.chart").count() == 4
            assert "Tunggakan per kelurahan" in adi.inner_text("main")
            shot(adi, "dashboard")

            adi.click("nav >> text=Ekspor")
            with adi.expect_download() as download:
                adi.click("text=Unduh CSV")
            text = open(download.value.path(), encoding="utf-8-sig").read()
            rows = list(csv.DictReader(io.StringIO(text)))
            assert [r["NIK"] for r in rows] == [nik(1)] and rows[0]["NOMOR_SK"] == "188.45/77/HK/2026"

            vera.click("text=Berkas USB")
            vera.set_input_files("input[type=file]", str(world["usb"]))
            vera.click("button[type=submit].primary >> text=Impor")
            assert "Diterima" in vera.inner_text("#results")
            shot(vera, "upload")
            with vera.expect_download() as download:
                vera.click("text=Unduh tanda terima")
            receipt = Receipt.from_bytes(open(download.value.path(), "rb").read())
            assert receipt.sequence == 2 and download.value.suggested_filename.endswith("-000002.usulkan-receipt")
        finally:
            browser.close()
