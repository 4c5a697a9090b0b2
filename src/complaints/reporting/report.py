"""The whole report for a scope, and its three forms: HTML (with charts), CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from complaints.app import App
from complaints.reporting import charts
from complaints.reporting.audit import audit
from complaints.reporting.figures import overview
from complaints.reporting.improvement import actions, recurring
from complaints.reporting.promises import register
from complaints.reporting.sql import Scope


def build(*, app: App, scope: Scope, now: datetime) -> dict[str, Any]:
    """Figures, promise register, recurring causes, actions and the audit, for one scope."""
    figures = overview(app=app, scope=scope, now=now)
    promises = register(app=app, scope=scope, now=now)
    causes = recurring(app=app, until=min(now, scope.until))
    return {
        "organisation": app.conduct.organisation.name,
        "generated_at": now.isoformat(),
        "figures": figures,
        "promises": promises,
        "recurring": causes,
        "actions": actions(app=app, today=now.date()),
        "audit": audit(app=app, scope=scope, overview=figures, register=promises, recurring=causes),
    }


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def to_csv(report: dict[str, Any]) -> str:
    """One row a figure: section, key, value (for spreadsheets)."""
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["section", "key", "value"])
    f = report["figures"]
    for key in ("total", "answered", "open_now", "overdue_now", "reopen_rate"):
        rows.writerow(["summary", key, f[key]])
    for part in ("acknowledgement_hours", "answer_days", "escalations", "satisfaction"):
        for key, value in f[part].items():
            rows.writerow([part, key, value])
    for dimension, counts in f["by"].items():
        for value, n in counts:
            rows.writerow([f"by_{dimension}", value, n])
    for month, n in f["trend"]:
        rows.writerow(["per_month", month, n])
    for promise in report["promises"]:
        rows.writerow(["promise_rate", promise["key"], promise["rate"]])
        for dimension, groups in promise["by"].items():
            for group in groups:
                rows.writerow(
                    [f"promise_{promise['key']}_by_{dimension}", group["value"], group["rate"]]
                )
    for cause in report["recurring"]:
        rows.writerow(["recurring", f"{cause['product']} / {cause['category']}", cause["count"]])
    return out.getvalue()


def to_html(app: App, report: dict[str, Any], public: bool = False) -> str:
    """A standalone page: inline styles and SVG, no external resource. `public`: aggregates only."""
    environment = Environment(
        loader=FileSystemLoader(app.settings.home / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = environment.get_template("report/report.html.j2")
    return page.render(r=report, charts=charts, public=public)
