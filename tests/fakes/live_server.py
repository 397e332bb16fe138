"""A real Dinsos server (its own SQLite and keys) answering HTTP on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(data_dir, **settings):
    """Yield (server context, base URL); stop the server when the block ends."""
    import uvicorn

    from app.server.app import create_app
    from app.server.config import Settings
    from app.server.context import open_server

    port = free_port()
    ctx = open_server(Settings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}", **settings))
    running = uvicorn.Server(uvicorn.Config(create_app(context=ctx), host="127.0.0.1", port=port,
                                            log_level="warning", lifespan="off"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running.started, "server did not start"
    try:
        yield ctx, ctx.settings.public_url
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        ctx.close()
