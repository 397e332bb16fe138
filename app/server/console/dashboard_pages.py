"""/console/dashboard: the figures of app/server/console/dashboard.py as server-drawn charts, each with
the table behind it. Counts only, no person's data; every signed-in role may see it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.clock import format_wib
from app.server.console import charts, dashboard, web
from app.server.console.dashboard_cache import FiguresCache
from app.server.console.common import labels, staff_or_none
from app.server.context import ServerContext

ROLES = ("verifier", "kepala", "admin")
ACTION_LABELS = {"verify": i18n.N_("Verified"), "return": i18n.N_("Returned"), "finalise": i18n.N_("Finalised")}


def register(router: APIRouter, ctx: ServerContext) -> FiguresCache:
    cache = FiguresCache(ctx)

    @router.get("/dashboard")
    def show(request: Request) -> Response:
        staff = staff_or_none(ctx, request)
        if staff is None:
            return web.to_login(request)
        _ = i18n.translator(web.language(request))
        helpers = labels(request)
        if staff.role not in ROLES:
            return web.render(request, "error.html", staff=staff, status=403,
                              message=_("Your account may not do this."), **helpers)
        snapshot = cache.get()
        figures = snapshot.figures
        state = helpers["state_label"]
        rows = figures.backlog[:40]
        svg = {
            "backlog": charts.bars(_("Backlog per kelurahan"), [r["name"] for r in rows],
                                   [(state(s), [r[s] for r in rows]) for s in dashboard.BACKLOG_STATES],
                                   stacked=True),
            "stays": charts.bars(_("Days in each state"), [state(r["state"]) for r in figures.stays],
                                 [(_("Median"), [r["median"] for r in figures.stays]),
                                  (_("90th percentile"), [r["p90"] for r in figures.stays])]),
            "returns": charts.bars(_("Returns by reason"), [code for code, _n in figures.returns[:20]],
                                   [(_("Returns"), [n for _c, n in figures.returns[:20]])]),
            "weeks": charts.bars(_("Weekly throughput"), [w["week"] for w in figures.weeks],
                                 [(_("Received"), [w["received"] for w in figures.weeks])]
                                 + [(_(ACTION_LABELS[a]), [w[a] for w in figures.weeks])
                                    for a in dashboard.THROUGHPUT_ACTIONS]),
        }
        from app.server.reason_catalogue import list_reasons

        reason_text = {r.code: r.text for r in list_reasons(ctx, active_only=False)}
        return web.render(request, "dashboard.html", staff=staff, figures=figures, svg=svg,
                          states=dashboard.BACKLOG_STATES, actions=dashboard.THROUGHPUT_ACTIONS,
                          action_labels=ACTION_LABELS, reason_text=reason_text, figures_at_text=format_wib(snapshot.at),
                          max_age_minutes=int(cache.max_age.total_seconds() // 60), **helpers)

    return cache
