"""`usulkan-server serve --workers N`: several uvicorn worker processes on one PostgreSQL database.

Every worker builds its own app from the environment (uvicorn imports ``worker_app`` in each
process); keys and migrations are made once by the parent before any worker starts, so two
workers never race to create the server's keys. Correctness across processes rests on the
database alone: the office row is locked for each batch and each decision (SELECT ... FOR
UPDATE), the audit head too, and the throttle counts failures in a table, so nothing is kept in
one process's memory. SQLite is for one process: more workers there are refused.
"""

from __future__ import annotations

import os

from app.server.config import Settings

ENV = {"data_dir": "USULKAN_SERVER_DIR", "database_url": "USULKAN_SERVER_DATABASE_URL",
       "public_url": "USULKAN_SERVER_PUBLIC_URL"}


class WorkersNeedPostgres(ValueError):
    pass


def worker_app():
    """The app of one worker process (uvicorn factory), from the settings the parent put in the environment."""
    from app.server.app import create_app

    return create_app(Settings.from_env())


def serve_workers(settings: Settings, *, host: str, port: int, workers: int, log_level: str = "info") -> None:
    import uvicorn

    from app.server.context import open_server

    if not (settings.database_url or "").startswith("postgresql"):
        raise WorkersNeedPostgres("--workers above 1 needs --database-url postgresql+psycopg://...")
    open_server(settings).close()  # keys made, schema at head: once, before the workers
    for name, variable in ENV.items():
        os.environ[variable] = str(getattr(settings, name))
    uvicorn.run("app.server.workers:worker_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level)
