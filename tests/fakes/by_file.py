"""An office that only ever works by USB stick, linked to a real in-process Dinsos server by files."""

from __future__ import annotations

from pathlib import Path

from app.server.config import Settings
from app.server.context import open_server
from app.server.provisioning import bind_from_file, register_office
from app.services import provisioning
from app.storage.models import Office


def file_only_server(folder: Path):
    """A real Dinsos server with no public address: its provisioning documents name none."""
    return open_server(Settings(data_dir=folder, public_url=""))


def link_by_file(server, lurah_ctx, stick: Path, *, name: str = "Kelurahan Bugul Kidul") -> str:
    """Register, import the document, carry the request file and the answer file; the Dinsos office id."""
    doc = register_office(server, name=name, village_code="35.75.03.1009").document
    assert doc["server_url"] is None
    provisioning.import_provisioning(lurah_ctx, doc, root_fingerprint=doc["dinsos_root_fingerprint"])
    stick.mkdir(parents=True, exist_ok=True)
    request = provisioning.write_bind_request_file(lurah_ctx, stick)
    office_id, answer = bind_from_file(server, request.read_bytes())
    answer_path = stick / f"usulkan-{office_id}.usulkan-bind-answer"
    answer_path.write_bytes(answer)
    provisioning.import_bind_answer_file(lurah_ctx, answer_path)
    provisioning.certify_uncertified(lurah_ctx)
    with lurah_ctx.reading() as session:
        assert session.get(Office, lurah_ctx.office_id).server_url is None  # it never had an address
    return office_id
