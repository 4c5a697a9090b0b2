"""The queue page's words: each row's state, customer and time left, the filters' choices, and
the links that keep the filters while changing one of them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from complaints.api.pages import render_with_form
from complaints.app import App
from complaints.dates import local_day, long_date
from complaints.lifecycle import OPEN_STATES, State, labels
from complaints.models import Channel
from complaints.services import queue as queue_service
from complaints.services.queue import Filters, Queue, Row
from complaints.services.staff import Staff
from complaints.templating import strings
from complaints.words import counted, label

Field = Annotated[str, Query(max_length=80)]


def _one_of(values: list[str]) -> Any:
    """A query value among `values`, or empty (the form's "any"); another is a 422 page."""
    return Query(pattern=f"^({'|'.join(values)})?$")


StateField = Annotated[str, _one_of([s.value for s in State if s in OPEN_STATES])]
ChannelField = Annotated[str, _one_of([c.value for c in Channel])]


def filters(
    view: Literal["all", "mine", "unassigned", "overdue", "attention"] = "all",
    state: StateField = "",
    product: Field = "",
    region: Field = "",
    channel: ChannelField = "",
    q: Annotated[str, Query(max_length=120)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Filters:
    """The queue's query, checked: an unknown state or filter is a 422 page, not an empty list."""
    return Filters(view, state, product, region, channel, q, page)


def time_left(row: Row, queue: Queue, words: dict[str, Any], lang: str, zone: str) -> str:
    """The time left before the next promise, in days, in words."""
    if row.due is None:
        return str(words["no_promise"])
    days = (local_day(row.due, zone) - local_day(queue.as_of, zone)).days
    if days == 0 and not row.overdue:
        return str(words["today"])
    said = "left_days"
    if row.overdue or days < 0:
        # Information past its date is the customer's delay, not a promise of ours broken.
        said = "past_date" if row.due_kind == "information" and not row.overdue else "late"
    return str(words[said]).format(days=counted(words["days"], lang, abs(days)))


def link(lang: str, chosen: Filters, **changes: Any) -> str:
    """The queue's address with `changes` to the filters (the page back to 1 unless given)."""
    query = {"view": chosen.view, **chosen.dimensions(), "page": 1, **changes, "lang": lang}
    kept = {k: v for k, v in query.items() if v not in ("", None) and (k, v) != ("view", "all")}
    return "/staff?" + urlencode({k: v for k, v in kept.items() if (k, v) != ("page", 1)})


def page(app: App, request: Request, lang: str, member: Staff, chosen: Filters) -> HTMLResponse:
    templates = app.settings.home / "templates"
    words = strings(templates)[lang]["queue"]
    zone = app.conduct.organisation.timezone
    found = queue_service.queue(app=app, member=member.name, filters=chosen)
    staff_states = labels(lang, customer=False)
    rows = [
        {
            **row.__dict__,
            "state_words": staff_states[State(row.state)],
            "due_words": long_date(row.due, lang, zone) if row.due else "",
            "due_kind_words": words["due_kinds"].get(row.due_kind, ""),
            "left": time_left(row, found, words, lang, zone),
        }
        for row in found.rows
    ]
    choices = queue_service.choices(app=app)
    return render_with_form(
        app,
        request,
        "staff_list",
        lang,
        member=member,
        rows=rows,
        queue=found,
        chosen=chosen,
        link=lambda **changes: link(lang, chosen, **changes),
        views=queue_service.VIEWS,
        states=[(s.value, staff_states[s]) for s in State if s in OPEN_STATES],
        channels=[(c.value, label(templates, lang, "channel", c.value)) for c in Channel],
        products=choices["product"],
        regions=[(r, app.conduct.intake.label("region", r, lang)) for r in choices["region"]],
    )
