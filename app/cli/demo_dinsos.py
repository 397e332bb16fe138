"""The demo's own Dinsos server: a `usulkan-server` process on loopback, linked to the demo office once.

`make run` shows the whole round trip within a minute: the office's queued proposals go out, a
demo verifier at Dinsos returns one with a reason and verifies another, and the decisions come
back to the office on the next round. The server keeps its data beside the office's folder (never
inside it) and stops when the application closes.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.server.config import DEFAULT_HOST, DEFAULT_PORT

log = logging.getLogger(__name__)

DEMO_STAFF, DEMO_STAFF_PASS = "verifikator", "demo verifikator dinsos"
STATE_FILE = "demo-link.json"
START_TIMEOUT_S = 30


class DemoServerFailed(RuntimeError):
    """The demo server did not come up; the office still opens, offline."""


@dataclass
class DemoDinsos:
    folder: Path
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()  # the server's cue to stop (--exit-with-stdin)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_folder(office_folder: Path) -> Path:
    return office_folder.parent / f"{office_folder.name}-dinsos"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((DEFAULT_HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((DEFAULT_HOST, 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoServerFailed(f"the demo server exited with code {process.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise DemoServerFailed("the demo server did not answer in time")


def spawn_server(folder: Path, port: int) -> DemoDinsos:
    """`usulkan-server serve` in its own process on loopback, once it answers /healthz."""
    url = f"http://{DEFAULT_HOST}:{port}"
    log_file = open(folder / "server.log", "ab")  # noqa: SIM115 (the child writes to it while it lives)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.server", "serve", "--data-dir", str(folder), "--host", DEFAULT_HOST,
         "--port", str(port), "--public-url", url, "--exit-with-stdin"],
        # The write end stays with this process: if the application dies, even by a crash, the
        # system closes it and the server stops instead of holding the port for the next start.
        stdin=subprocess.PIPE, stdout=log_file, stderr=subprocess.STDOUT,
    )
    log_file.close()
    handle = DemoDinsos(folder, url, process)
    try:
        _wait_until_up(url, process)
    except DemoServerFailed:
        handle.stop()
        raise
    return handle


def _register(folder: Path, url: str, office_name: str, village: str) -> dict:
    """Before the server process starts: its keys, a demo verifier, and the office's provisioning document."""
    from app.server.auth import add_staff
    from app.server.config import Settings
    from app.server.context import open_server
    from app.server.provisioning import register_office

    ctx = open_server(Settings(data_dir=folder, public_url=url))
    try:
        add_staff(ctx, username=DEMO_STAFF, password=DEMO_STAFF_PASS, role="admin", actor="demo")
        return register_office(ctx, name=office_name, village_code=village, actor="demo").document
    finally:
        ctx.close()


def _link_office(office_folder: Path, document: dict, url: str) -> None:
    """As the demo Lurah: link the office; as the demo operator: send; as Dinsos: decide on two items."""
    import requests

    from app.clock import utcnow
    from app.services import demo, office, provisioning, sync_run
    from app.services import lurah as lurah_service
    from app.sync.transport_http import HttpTransport

    transport = HttpTransport(url, timeout=(2, 20))
    ids = dict((name, operator_id) for operator_id, name in _operators(office_folder))
    lurah = office.open_office(office_folder, ids[demo.DEMO_LURAH], demo.DEMO_LURAH_PASS)
    try:
        # The demo Lurah approves the link as a real one would: her passphrase typed for this step.
        approval = lurah_service.confirm(lurah, demo.DEMO_LURAH_PASS, purpose=lurah_service.Purpose.LINK)
        provisioning.link_office(lurah, document, transport, confirmation=approval,
                                 root_fingerprint=document["dinsos_root_fingerprint"])
    finally:
        lurah.close()
    operator = office.open_office(office_folder, ids[demo.DEMO_OPERATOR], demo.DEMO_OPERATOR_PASS)
    try:
        sync_run.run_round(operator, transport, now=utcnow())
    finally:
        operator.close()

    with requests.Session() as http:
        token = http.post(f"{url}/v1/review/login", json={"username": DEMO_STAFF, "password": DEMO_STAFF_PASS},
                          timeout=20).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        items = http.get(f"{url}/v1/review/items", params={"state": "received"}, timeout=20).json()
        decisions = [
            {"action": "return", "reasons": [{"code": "foto_rumah_buram",
                                              "text": "Foto rumah buram; mohon foto ulang dari depan."}]},
            {"action": "verify", "reasons": []},
        ]
        for item, decision in zip(items, decisions):
            http.post(f"{url}/v1/review/items/{item['item_id']}/decisions", json=decision, timeout=20)


def _operators(office_folder: Path) -> list[tuple[str, str]]:
    from app.storage.vault import Vault

    return Vault.load(office_folder).operators()


def start_demo_dinsos(office_folder: Path, *, office_name: str, village: str) -> DemoDinsos:
    """Start the demo server (linking the office the first time); raise DemoServerFailed if it cannot."""
    folder = server_folder(office_folder)
    folder.mkdir(parents=True, exist_ok=True)
    state_path = folder / STATE_FILE
    saved = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    if saved.get("linked"):
        # The office calls the address it was linked with, so the port must stay the same.
        port = saved["port"]
        if not _port_free(port):
            raise DemoServerFailed(f"port {port} of the demo server is taken by another program")
        return spawn_server(folder, port)
    port = saved.get("port") or (DEFAULT_PORT if _port_free(DEFAULT_PORT) else free_port())
    url = f"http://{DEFAULT_HOST}:{port}"
    document = saved.get("document") or _register(folder, url, office_name, village)
    # Kept until linked: a demo stopped half-way links with the same document next time.
    state_path.write_text(json.dumps({"port": port, "document": document}), encoding="utf-8")
    handle = spawn_server(folder, port)
    try:
        _link_office(office_folder, document, url)
    except Exception:
        handle.stop()
        raise
    state_path.write_text(json.dumps({"port": port, "linked": True}), encoding="utf-8")
    return handle
