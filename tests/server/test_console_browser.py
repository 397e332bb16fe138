"""The console in a real browser: Playwright driving Debian's Chromium (headless, --no-sandbox) against
a real `usulkan-server serve` process on loopback. Sign in, review with the duplicate side by side,
return with a reason (the office's signed feed carries it), verify, finalise by a second account
(refused for the verifier), a bulk decision, and two verifiers on one item. Screenshots of each page
go to docs/screenshots/console-*.png."""

from __future__ import annotations


import pytest
import requests

from app.cli.demo_dinsos import free_port, spawn_server
from app.server import auth
from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import ingest
from app.sync.status import StatusPage, verify_status_page
from bench.server_world import enrol, nik
from tests.fakes.browser import CHROMIUM, PASSWORD, pytestmark, shot, sign_in  # noqa: F401 (pytestmark: skip without chromium)

@pytest.fixture
def world(tmp_path):
    folder = tmp_path / "dinsos"
    ctx = open_server(Settings(data_dir=folder))
    a, b = enrol(ctx, "Bugul Kidul"), enrol(ctx, "Tapaan", village="35.75.02.1004")
    sealed, _, signed = a.batch(a.items([nik(n) for n in range(1, 7)]))
    ingest(ctx, sealed)
    sealed_b, _, _ = b.batch(b.items([nik(1)]))  # the same person proposed by another kelurahan
    ingest(ctx, sealed_b)
    for name, role in (("vera", "verifier"), ("budi", "verifier"), ("kirana", "kepala")):
        auth.add_staff(ctx, username=name, password=PASSWORD, role=role)
    server_public = ctx.keys.server_public
    ctx.close()
    port = free_port()
    handle = spawn_server(folder, port)
    yield {"url": handle.url, "items": [i.item_id for i in signed.items], "office": a, "key": server_public}
    handle.stop()


def _feed(world) -> list:
    office = world["office"]
    answer = requests.get(f"{world['url']}/v1/offices/{office.office_id}/statuses", params={"after": 0},
                          headers={"Authorization": f"Bearer {office.feed_token}"}, timeout=10)
    page = StatusPage.from_bytes(answer.content)
    verify_status_page(page, world["key"], office_id=office.office_id, after_cursor=0)
    return list(page.updates)




def test_review_in_a_real_browser(world):
    from playwright.sync_api import sync_playwright

    url, items = world["url"], world["items"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            vera = sign_in(browser, url, "vera", shot_login=True)
            assert "Kotak masuk per kelurahan" in vera.inner_text("h1")
            assert "Kelurahan Bugul Kidul" in vera.inner_text("table")
            shot(vera, "inbox")
            vera.click("text=Antrean pemeriksaan")
            assert vera.locator("tbody tr").count() == 7
            shot(vera, "queue")

            # Review the first item: the duplicate from Tapaan side by side; return with a reason.
            vera.goto(f"{url}/console/items/{items[0]}")
            assert "Kemungkinan ganda di kelurahan lain" in vera.inner_text("main")
            assert "Kelurahan Tapaan" in vera.inner_text("main")
            assert "dokumen belum diterima" in vera.inner_text("main")
            shot(vera, "review")
            vera.check("input[name=reason][value=foto_rumah_buram]")
            vera.click("button[value=return]")
            assert "Keputusan tersimpan" in vera.inner_text("main")
            returned = [u for u in _feed(world) if u.item_id == items[0]]
            assert [(u.state, [r.code for r in u.reasons]) for u in returned] == [("returned", ["foto_rumah_buram"])]

            # Verify the second; the verifier may not finalise it; the Kepala OPD does.
            vera.goto(f"{url}/console/items/{items[1]}")
            vera.click("button[value=verify]")
            assert "Keputusan tersimpan" in vera.inner_text("main")
            assert vera.locator("button[value=finalise]").count() == 0
            assert "Menunggu Kepala OPD menetapkan" in vera.inner_text("main")
            shot(vera, "four-eyes")
            # The form sent anyway (her own session and CSRF token): the server refuses it.
            token = vera.locator("input[name=csrf]").first.get_attribute("value")
            forced = vera.request.post(f"{url}/console/items/{items[1]}/decide", form={
                "csrf": token, "action": "finalise", "expected_state": "verified"})
            assert forced.status == 403 and "Akun Anda tidak berwenang" in forced.text()
            kirana = sign_in(browser, url, "kirana")
            kirana.goto(f"{url}/console/queue?category=waiting")
            kirana.click(f"a[href='/console/items/{items[1]}']")
            assert "Diverifikasi oleh vera" in kirana.inner_text("main")
            kirana.click("button[value=finalise]")
            assert "Keputusan tersimpan" in kirana.inner_text("main")
            assert [u.state for u in _feed(world) if u.item_id == items[1]] == ["verified", "finalised"]

            # A bulk decision on a selection of two.
            vera.goto(f"{url}/console/queue?category=new")
            for item_id in items[2:4]:
                vera.check(f"input[name=item][value^='{item_id}|']")
            vera.select_option("select[name=action]", "verify")
            vera.click("text=Putuskan yang dipilih")
            assert vera.locator("tr.ok").count() == 2 and vera.locator("tr.failed").count() == 0
            shot(vera, "bulk")
            assert {u.item_id for u in _feed(world) if u.state == "verified"} >= set(items[2:4])

            # Two verifiers on one item: it shows as taken; one wins, the other is told.
            budi = sign_in(browser, url, "budi")
            budi.goto(f"{url}/console/items/{items[4]}")
            vera.goto(f"{url}/console/items/{items[4]}")
            assert "Sedang dibuka oleh budi" in vera.inner_text("main")
            shot(vera, "claim")
            budi.click("button[value=verify]")
            vera.check("input[name=reason][value=kk_tidak_sesuai]")
            vera.click("button[value=return]")
            assert "Orang lain sudah memutuskan usulan ini lebih dulu" in vera.inner_text(".error")
            shot(vera, "conflict")
            assert [u.state for u in _feed(world) if u.item_id == items[4]] == ["verified"]

            vera.fill("input[name=q]", nik(6))
            vera.press("input[name=q]", "Enter")
            assert vera.locator("tbody tr").count() == 1
            shot(vera, "search")
            vera.click("text=EN")
            assert "Search" in vera.inner_text("h1")
            vera.click("text=Sign out")
            vera.wait_for_url("**/console/login")
        finally:
            browser.close()
