"""`usulkan-server migrate`: bring the database to the schema of this version, and say from which revision."""

from __future__ import annotations

import json


def cmd_migrate(args) -> int:
    from app.server import db
    from app.server.cli import _settings

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.url)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        after = db.current_revision(engine)
    finally:
        engine.dispose()
    print(json.dumps({"from": before, "to": after, "head": db.head_revision()}))
    return 0


def add_command(sub, common) -> None:
    sub.add_parser("migrate", parents=[common],
                   help="upgrade the database schema to this version (no keys needed)").set_defaults(run=cmd_migrate)
