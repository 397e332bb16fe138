"""A verifier reviews with the documents in front of them, in a real browser (Playwright on Debian's
Chromium against a real `usulkan-server serve`): the house photo shown inline (the image really decodes),
the PDF of the muskel minutes inline, returned with "foto_rumah_buram"; the office's signed feed carries it."""

from __future__ import annotations

import uuid

import pytest
import requests

from app.server import auth
from app.server.config import Settings
from app.server.context import open_server
from app.server.document_store import store_sealed
from app.server.ingest import ingest
from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.documents import ref_for, seal_document, with_documents
from app.sync.status import StatusPage, verify_status_page
from bench.server_world import enrol, nik, proposal
from tests.fakes.browser import CHROMIUM, PASSWORD, pytestmark, shot, sign_in  # noqa: F401 (pytestmark: skip without chromium)
from tests.fakes.photos import jpeg_photo

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def world(tmp_path):
    from app.cli.demo_dinsos import free_port, spawn_server

    folder = tmp_path / "dinsos"
    ctx = open_server(Settings(data_dir=folder))
    kel = enrol(ctx, "Bugul Kidul")
    photo = jpeg_photo(640, 480, seed=3)
    refs = [ref_for(photo, kind="house_photo", media_type="image/jpeg"),
            ref_for(PDF, kind="muskel_minutes", media_type="application/pdf")]
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                            payload=with_documents(proposal(nik(5), 5), refs))
    sealed, _, _ = kel.batch([item])
    ingest(ctx, sealed)
    server_key = keys.public_bytes(ctx.keys.x25519.public_key())
    for data, ref in ((photo, refs[0]), (PDF, refs[1])):
        store_sealed(ctx, kel.office_id, ref.sha256, seal_document(data, ref, server_key, office_id=kel.office_id),
                     source="test")
    auth.add_staff(ctx, username="vera", password=PASSWORD, role="verifier")
    public = ctx.keys.server_public
    ctx.close()
    handle = spawn_server(folder, free_port())
    yield {"url": handle.url, "item": item.item_id, "office": kel, "key": public, "refs": refs, "photo": photo}
    handle.stop()


def _feed(world) -> list:
    office = world["office"]
    answer = requests.get(f"{world['url']}/v1/offices/{office.office_id}/statuses", params={"after": 0},
                          headers={"Authorization": f"Bearer {office.feed_token}"}, timeout=10)
    page = StatusPage.from_bytes(answer.content)
    verify_status_page(page, world["key"], office_id=office.office_id, after_cursor=0)
    return list(page.updates)


def test_a_verifier_reviews_with_the_photo_and_the_pdf_and_returns_it(world):
    from playwright.sync_api import sync_playwright

    url, item_id = world["url"], world["item"]
    photo_ref, pdf_ref = world["refs"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            vera = sign_in(browser, url, "vera")
            vera.goto(f"{url}/console/items/{item_id}")
            image = vera.locator(f'img[src="/console/items/{item_id}/documents/{photo_ref.sha256}"]')
            image.scroll_into_view_if_needed()
            vera.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [640, 480]
            pdf = vera.locator(f'object[data="/console/items/{item_id}/documents/{pdf_ref.sha256}"]')
            assert pdf.count() == 1 and pdf.get_attribute("type") == "application/pdf"
            served = vera.request.get(url + pdf.get_attribute("data"))  # with the page's session cookie
            assert served.ok and served.body() == PDF and served.headers["content-type"] == "application/pdf"
            shot(vera, "documents")
            # Outside the session the same links give nothing.
            anonymous = requests.get(url + image.get_attribute("src"), timeout=10)
            assert anonymous.status_code == 401 and world["photo"] not in anonymous.content

            vera.check("input[name=reason][value=foto_rumah_buram]")
            vera.click("button[value=return]")
            assert "Keputusan tersimpan" in vera.inner_text("main")
        finally:
            browser.close()
    returned = [u for u in _feed(world) if u.item_id == item_id]
    assert [(u.state, [r.code for r in u.reasons]) for u in returned] == [("returned", ["foto_rumah_buram"])]
    assert "buram" in returned[0].reasons[0].text
