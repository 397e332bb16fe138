"""What both page modules share: the signed-in staff or a redirect, labels, and error words."""

from __future__ import annotations

from fastapi import Request

from app import i18n
from app.domain.workflow import KIND_LABELS, STATE_LABELS, ProposalKind, State
from app.errors import UsulkanError
from app.server.auth import Staff
from app.server.console import web
from app.server.context import ServerContext
from app.server.errors import NotAuthenticated

ROLE_LABELS = {"verifier": i18n.N_("Verifier"), "kepala": i18n.N_("Head of department (Kepala OPD)"),
               "admin": i18n.N_("Administrator")}


def staff_or_none(ctx: ServerContext, request: Request) -> Staff | None:
    try:
        return web.current_staff(ctx, request)
    except NotAuthenticated:
        return None


def labels(request: Request) -> dict:
    """Helpers every template gets: state, kind and role in the reader's language."""
    _ = i18n.translator(web.language(request))

    def state_label(state: str) -> str:
        try:
            return _(STATE_LABELS[State(state)])
        except ValueError:
            return state

    def kind_label(kind: str | None) -> str:
        try:
            return _(KIND_LABELS[ProposalKind(kind)])
        except ValueError:
            return kind or ""

    return {"state_label": state_label, "kind_label": kind_label,
            "role_label": lambda role: _(ROLE_LABELS.get(role, role))}


def explain(request: Request, err: UsulkanError) -> str:
    """The error in the reader's language: what is wrong, then what to do."""
    _ = i18n.translator(web.language(request))
    params = dict(err.params)
    if "state" in params:
        params["state"] = labels(request)["state_label"](str(params["state"]))
    try:
        text = _(err.template).format(**params)
        if err.hint:
            text = f"{text} {_(err.hint).format(**params)}"
    except (KeyError, IndexError):
        text = _(err.template)
    return text
