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


def staff_member(server, username: str, role: str):
    """A Dinsos account, as the server's own auth module makes it."""
    from app.server import auth

    return auth.add_staff(server, username=username, password="rahasia-dinsos-123", role=role)


def carry_batches(server, office_ctx, stick: Path) -> list:
    """The office saves its batches on the stick and Dinsos imports them (`usulkan-server import-file`)."""
    from app.server.cli import import_files
    from app.services import sync

    written = sync.export_ready(office_ctx, stick)
    results = import_files(server, written) if written else []
    assert all(r.done for r in results), [(r.reason, r.message) for r in results]
    return results


def carry_return_file(server, office_ctx, stick: Path, *, after: int = 0):
    """Dinsos writes the office's return file on the stick; the office imports it."""
    from app.clock import utcnow
    from app.server.return_file import build_return_file
    from app.services.return_import import import_return_file

    made = build_return_file(server, _server_office_id(office_ctx), after=after)
    path = stick / made.name
    path.write_bytes(made.data)
    return import_return_file(office_ctx, path, now=utcnow())


def _server_office_id(office_ctx) -> str:
    from app.storage.sync_models import SyncLink

    with office_ctx.reading() as session:
        return session.get(SyncLink, 1).server_office_id
