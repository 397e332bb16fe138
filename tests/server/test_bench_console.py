"""The console bench cannot rot: its world builder at 200 items gives realistic rows and every page it times answers 200."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from app.server.context import open_server
from app.server.models import Batch, Decision, Item, ItemNik
from bench import console, console_world


def test_bench_world_and_pages(settings):
    ctx = open_server(settings)
    world = console_world.build(ctx, items=200, offices=5)
    assert world.items >= 200 and len(world.offices) == 5
    with ctx.reading() as session:
        states = dict(session.execute(select(Item.state, func.count()).group_by(Item.state)).all())
        assert set(states) == {"received", "verified", "returned", "finalised", "superseded"}, states
        assert sum(states.values()) == world.items
        # Every item sits in a batch of its own office, names its NIKs, and its decisions brought it to its state.
        assert session.execute(select(func.count()).select_from(Item).join(Batch, Batch.batch_id == Item.batch_id)
                               .where(Batch.office_id == Item.office_id)).scalar_one() == world.items
        item = session.get(Item, world.sample_ids["finalised"][0])
        payload = json.loads(item.payload)
        niks = set(session.execute(select(ItemNik.nik).where(ItemNik.item_id == item.item_id)).scalars())
        assert niks == {m["nik"] for m in payload["household"]["members"]}
        steps = session.execute(select(Decision.to_state).where(Decision.item_id == item.item_id)
                                .order_by(Decision.decided_at)).scalars().all()
        assert steps == ["verified", "finalised"] and item.received_at <= item.updated_at <= ctx.now()
        resent = session.get(Item, world.sample_ids["resent"][0])
        assert resent.state == "received" and session.get(Item, resent.base_id).state == "superseded"
        new_count = session.execute(select(func.count()).select_from(Item).where(
            Item.state == "received", Item.base_id.is_(None))).scalar_one()

    client = console.signed_in(ctx, world.verifier)
    inbox = client.get("/console/inbox")
    assert inbox.status_code == 200 and "Kelurahan Bench 00" in inbox.text
    queue = client.get("/console/queue", params={"category": "new"})
    assert queue.status_code == 200
    assert len(re.findall(r"/console/items/[0-9a-f-]{36}\"", queue.text)) == min(new_count, 100)

    # Search by No. KK and by NIK reads the indexes of migration 0012 and finds exactly that household.
    kk = payload["household"]["kk_number"]
    for q in (kk, max(niks)):
        found = set(re.findall(r"/console/items/([0-9a-f-]{36})\"", client.get("/console/search", params={"q": q}).text))
        assert found == {item.item_id}, q
    rows, board = console.measure_pages(ctx, world, repeat=4)  # raises on any answer but 200
    assert [r[0] for r in rows] == ["inbox", "queue", "search", "review"]
    assert all(v > 0 for r in rows for v in r[1:]) and all(v > 0 for v in board)
    assert console.print_pages("smoke", rows, board) in (True, False)
    ctx.close()
