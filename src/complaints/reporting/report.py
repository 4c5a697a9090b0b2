"""The whole report for a scope, and its three forms: HTML (with charts), CSV, JSON."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from babel.dates import format_date
from babel.numbers import format_decimal
from defusedcsv import csv
from markupsafe import Markup, escape

from complaints.app import App
from complaints.dates import LOCALES, local_day, long_date, long_moment
from complaints.reporting import charts
from complaints.reporting.audit import audit
from complaints.reporting.figures import overview
from complaints.reporting.improvement import actions, recurring
from complaints.reporting.promises import register
from complaints.reporting.sql import Scope
from complaints.templating import environment
from complaints.words import catalog, counted, percent, typeset


def build(*, app: App, scope: Scope, now: datetime) -> dict[str, Any]:
    """Figures, promise register, recurring causes, actions and the audit, for one scope."""
    figures = overview(app=app, scope=scope, now=now)
    promises = register(app=app, scope=scope, now=now)
    causes = recurring(app=app, until=min(now, scope.until))
    return {
        "organisation": app.conduct.organisation.name,
        "generated_at": now.isoformat(),
        "simulated_clock": app.db.is_simulated(),
        "figures": figures,
        "promises": promises,
        "recurring": causes,
        "actions": actions(app=app, today=local_day(now, app.conduct.organisation.timezone)),
        "audit": audit(
            app=app, scope=scope, now=now, overview=figures, register=promises, recurring=causes
        ),
    }


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


class _Cells:
    """defusedcsv's writer (a cell starting with = + - @ | % gets a leading ' and is read as
    text), with the same ' before a cell starting with a tab or a line break: OWASP lists
    them, as some spreadsheets skip them before reading a formula; defusedcsv 3 does not."""

    def __init__(self, out: io.StringIO) -> None:
        self._rows = csv.writer(out)

    def writerow(self, row: list[Any]) -> None:
        self._rows.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in ("\t", "\r", "\n") else v for v in row]
        )


def to_csv(report: dict[str, Any]) -> str:
    """One row a figure: section, key, value (for spreadsheets). What people typed (products,
    regions, customer types) is never read by a spreadsheet as a formula."""
    out = io.StringIO()
    rows = _Cells(out)
    rows.writerow(["section", "key", "value"])
    f = report["figures"]
    for key in ("total", "answered", "open_now", "overdue_now", "reopen_rate", "reopened_rate"):
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
        for key, value in promise.get("paused", {}).items():  # the paused time it excludes
            rows.writerow([f"promise_{promise['key']}_paused", key, value])
        for dimension, groups in promise["by"].items():
            for group in groups:
                rows.writerow(
                    [f"promise_{promise['key']}_by_{dimension}", group["value"], group["rate"]]
                )
    for cause in report["recurring"]:
        rows.writerow(["recurring", f"{cause['product']} / {cause['category']}", cause["count"]])
    return out.getvalue()


def to_html(
    app: App,
    report: dict[str, Any],
    public: bool = False,
    lang: str | None = None,
    head: str = "",
    links: bool = False,
) -> str:
    """A standalone page in `lang` (default: the organisation's): inline styles and SVG, no
    external resource. `public`: aggregates only. `head`: the staff dashboard's navigation and
    filters, already rendered (escaped) HTML. `links`: each reference opens the complaint's
    staff page (the dashboard; a report saved as a file has none to open)."""
    lang = lang or app.conduct.organisation.language
    templates = app.settings.home / "templates"
    page = environment(templates).get_template("report/report.html.j2")  # compiled once
    words = catalog(templates)[lang]
    zone = app.conduct.organisation.timezone

    def day(value: str | None) -> str:
        if not value:
            return ""
        moment = datetime.fromisoformat(value)
        return long_date(moment if "T" in value else moment.date(), lang, zone)

    def pct(value: float | None) -> str:
        return percent(value, lang)

    def num(value: float | None, unit: str) -> str:
        if value is None:
            return "—"
        return f"{format_decimal(value, format='0.##', locale=LOCALES[lang])}\u202f{unit}"

    def category(key: str) -> str:
        found = [c for c in app.conduct.categories if c.key == key]
        return str(getattr(found[0], lang)) if found else key

    def value(dimension: str, code: str) -> str:
        """A dimension's value in words: channels, categories, severities, customer types,
        regions (a value stored before the lists of the code of conduct, as it was stored)."""
        if dimension == "category":
            return category(code)
        if dimension in ("customer_type", "region"):
            return app.conduct.intake.label(dimension, code, lang)
        return str(words.get(dimension, {}).get(code, code))

    def month(code: str) -> str:
        """A YYYY-MM month as people write it: oct. 2026."""
        year, number = code.split("-")
        return format_date(date(int(year), int(number), 1), "MMM y", locale=LOCALES[lang])

    def fact(key: str, value: Any) -> str:
        """An audit fact's value, written as its kind asks."""
        if key in ("reopen_rate", "reopened_rate", "satisfaction"):
            return pct(value)
        if key in ("ack_median", "answer_median"):
            return num(value, words["report"]["hours" if key == "ack_median" else "days"])
        if key == "code_versions":
            return ", ".join(day(d) for d in value) or "—"
        if key == "channels":
            return ", ".join(words["channel"].get(code, code) for code in value) or "—"
        return "—" if value is None else str(value)

    def ref(reference: str) -> Markup:
        if not links:
            return escape(reference)
        href = f"/staff/c/{quote(reference)}?lang={lang}"
        return Markup('<a href="{}">{}</a>').format(href, reference)

    def labelled(dimension: str, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return [(value(dimension, code), n) for code, n in counts]

    def cause(data: dict[str, Any]) -> str:
        said = words["cause"]
        if data["kind"] == "late":
            hours = float(data["hours"])
            text = (
                said["late_hours"].format(
                    hours=format_decimal(hours, format="0.0", locale=LOCALES[lang])
                )
                if hours < 48
                else said["late_days"].format(days=round(hours / 24))
            )
        else:
            days = data.get("days", "")
            text = counted(said[data["kind"]], lang, days or 0, days=days)
        if data.get("escalated"):
            text += said["escalated"]
        if data.get("claimed"):
            text += said["claimed"].format(claimed=day(data["claimed"]))
        return text

    return typeset(
        page.render(
            r=report,
            w=words,
            lang=lang,
            charts=charts,
            public=public,
            day=day,
            moment=lambda value: long_moment(datetime.fromisoformat(value), lang, zone),
            pct=pct,
            num=num,
            cause=cause,
            category=category,
            value=value,
            labelled=labelled,
            ref=ref,
            fact=fact,
            month=month,
            head=Markup(head),  # noqa: S704 rendered by the pages' autoescaped environment
        ),
        lang,
    )
