"""The review page of one item, a decision on it, and one decision on a selection (bulk)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.errors import UsulkanError
from app.server import claims, duplicate_review, review
from app.server.console import item_view, payload_labels, web
from app.server.console.common import explain, labels, staff_or_none
from app.server.context import ServerContext
from app.server.errors import BadRequest
from app.server.models import Item
from app.server.reason_catalogue import list_reasons, reasons_for

ACTIONS = ("verify", "return", "finalise", "approve", "forward")
MAX_BULK = 200


def _decide(ctx: ServerContext, staff, item_id: str, action: str, codes: list[str], expected: str | None,
            decree: tuple[str, str] | review.Decree = ("", "")):
    if action not in ACTIONS:
        raise BadRequest(field="action")
    if isinstance(decree, review.Decree):
        checked = decree  # checked already, with its document (decree_pages.py)
    else:
        checked = review.checked_decree(action, decree[0], decree[1] or None, today=ctx.now().date())
    reasons = reasons_for(ctx, [c for c in codes if c])  # the list's empty choice is no reason
    if action == "return" and not reasons:
        raise BadRequest(field="reasons")
    update = review.decide(ctx, staff, item_id, action, reasons, expected_state=expected or None, decree=checked)
    claims.release(ctx, staff, item_id)
    return update


def render_item(ctx: ServerContext, request: Request, staff, item_id: str, *, error: str | None = None,
                done: str | None = None, status: int = 200) -> Response:
    """The review page of one item (its read audited, the item claimed), with an error or a done note."""
    with ctx.reading() as session:
        exists = session.get(Item, item_id) is not None
    if not exists:
        return web.render(request, "error.html", staff=staff, status=404,
                          message=i18n.translator(web.language(request))("The requested item was not found."),
                          **labels(request))
    # Audited before anything is shown: who opened whose data.
    review.record_read(ctx, f"staff:{staff.username}", "item_viewed", item_id, via="console")
    claim = claims.claim(ctx, staff, item_id)
    with ctx.reading() as session:
        view = item_view.load(session, item_id)
    for dup in view.duplicates:  # the other kelurahan's household is shown beside it: a read too
        review.record_read(ctx, f"staff:{staff.username}", "item_viewed", dup["item"].item_id,
                           via="console_duplicate", beside=item_id)
    return web.render(request, "item.html", staff=staff, view=view, claim=claim, error=error, done=done,
                      reasons=list_reasons(ctx), status=status, shown=_shown(request, view), **labels(request))


def register(router: APIRouter, ctx: ServerContext) -> None:
    def page(request: Request, staff, item_id: str, *, error: str | None = None, done: str | None = None,
             status: int = 200) -> Response:
        return render_item(ctx, request, staff, item_id, error=error, done=done, status=status)

    @router.get("/items/{item_id}")
    def item(item_id: str, request: Request, done: str | None = None) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        return page(request, staff, item_id[:64], done=done if done in ACTIONS else None)

    @router.post("/items/{item_id}/decide")
    async def decide(item_id: str, request: Request) -> Response:
        staff, fields, refused = await _signed_in_form(ctx, request)
        if refused is not None:
            return refused
        action = web.first(fields, "action")
        try:
            if action in review.DECREE_ACTIONS:
                # In the console the decree is recorded with its document, by the decree form only.
                from app.server.console.decree_pages import DecreeDocumentRequired

                raise DecreeDocumentRequired()
            _decide(ctx, staff, item_id[:64], action, fields.get("reason", []), web.first(fields, "expected_state"),
                    (web.first(fields, "decree_number"), web.first(fields, "decree_date")))
        except UsulkanError as err:
            status = getattr(err, "http_status", 409)
            return page(request, staff, item_id[:64], error=explain(request, err), status=status)
        return RedirectResponse(f"/console/items/{item_id}?done={action}", status_code=303)

    @router.post("/items/{item_id}/duplicates/{other_id}")
    async def resolve_duplicate(item_id: str, other_id: str, request: Request) -> Response:
        staff, fields, refused = await _signed_in_form(ctx, request)
        if refused is not None:
            return refused
        item_id, other_id = item_id[:64], other_id[:64]
        how, note = web.first(fields, "resolution"), web.first(fields, "note")
        try:
            if how == duplicate_review.SAME:
                duplicate_review.same_person(ctx, staff, item_id, other_id, keep=web.first(fields, "keep"),
                                             reason_codes=fields.get("reason", []), note=note)
            elif how == duplicate_review.DIFFERENT:
                duplicate_review.different_people(ctx, staff, item_id, other_id, note=note)
            else:
                raise BadRequest(field="resolution")
        except UsulkanError as err:
            return page(request, staff, item_id, error=explain(request, err), status=getattr(err, "http_status", 409))
        return RedirectResponse(f"/console/items/{item_id}#duplicates", status_code=303)

    @router.post("/bulk")
    async def bulk(request: Request) -> Response:
        staff, fields, refused = await _signed_in_form(ctx, request)
        if refused is not None:
            return refused
        action, codes = web.first(fields, "action"), fields.get("reason", [])
        results = []
        for entry in fields.get("item", [])[:MAX_BULK]:
            item_id, _sep, expected = entry.partition("|")
            try:
                update = _decide(ctx, staff, item_id[:64], action, codes, expected)
                results.append({"item_id": item_id, "ok": True, "state": update.state, "tracking": update.tracking_code})
            except UsulkanError as err:
                results.append({"item_id": item_id, "ok": False, "message": explain(request, err)})
        return web.render(request, "bulk.html", staff=staff, results=results, action=action, **labels(request))


def _shown(request: Request, view: item_view.View) -> dict:
    """The payloads of the page in human words: facts, members, an update's changes, the version diff."""
    _ = i18n.translator(web.language(request))
    return {
        "facts": payload_labels.household_facts(_, view.payload),
        "members": payload_labels.members_table(_, view.payload),
        "proposed": payload_labels.proposed_changes(_, view.payload),
        "diff": payload_labels.labelled_diff(_, view.changes),
        "others": {d["item"].item_id: (payload_labels.household_facts(_, d["payload"]),
                                       payload_labels.members_table(_, d["payload"])) for d in view.duplicates},
    }


async def _signed_in_form(ctx, request: Request):
    """``(staff, fields, None)`` for a form posted by a signed-in person from this console, else ``(.., refusal)``."""
    fields = await web.form(request)
    staff = staff_or_none(ctx, request)
    if staff is None:
        return None, fields, web.to_login(request)
    try:
        web.check_csrf(request, fields)
    except web.CsrfFailed:
        return staff, fields, _csrf_refused(request, staff)
    return staff, fields, None


def _csrf_refused(request: Request, staff) -> Response:
    _ = i18n.translator(web.language(request))
    return web.render(request, "error.html", staff=staff, status=403,
                      message=_("The form has expired or did not come from this console. Open the page again "
                                "and repeat the step; nothing was changed."), **labels(request))
