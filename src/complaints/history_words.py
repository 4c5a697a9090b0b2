"""A complaint's history in the reader's words: who did what, when (local time), from which
state to which, and what a person wrote. The events keep their codes and English audit
reasons (the sealed evidence); this is only how the staff page reads them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from complaints.dates import short_moment
from complaints.lifecycle import TRANSITIONS, Step, labels
from complaints.templating import strings

# Steps whose reason is what a person wrote, whole; and those whose reason is "<code>: <text>".
WRITTEN = {
    Step.CUSTOMER_MESSAGE,
    Step.WITHDRAW,
    Step.REOPEN,
    Step.UNMERGE,
    Step.CLOSE,
    "feedback_comment",
}
AFTER_COLON = {
    Step.RECORD_ANALYSIS,
    Step.PLAN_ACTIONS,
    Step.RECORD_MEDIATION_OUTCOME,
    Step.REFER_TO_MEDIATOR,
}
ASKED = {Step.REQUEST_INFORMATION, Step.RECEIVE_INFORMATION}  # the reason is what was asked/said
PEOPLE = {"staff", "customer", "mediator"}


def _action_words(lang: str, words: dict[str, Any]) -> dict[str, str]:
    """The words of every action: each lifecycle step's own (a new one included), then
    strings.toml's for the events that are no step."""
    steps = {str(step): transition.label(lang) for step, transition in TRANSITIONS.items()}
    return {**words["timeline"]["actions"], **steps}


def _detail(entry: dict[str, Any]) -> str:
    """What a person wrote, if the event keeps it; never the system's English reason."""
    kind = str(entry["actor"]).partition(":")[0]
    reason = str(entry.get("reason") or "")
    if kind not in PEOPLE or not reason:
        return ""
    if entry["action"] in WRITTEN or entry["action"] in ASKED:
        return reason
    if entry["action"] == Step.ASSIGN:  # the member it was given to, as the event keeps it
        return str((entry.get("data") or {}).get("to") or "")
    if entry["action"] in AFTER_COLON:
        return reason.partition(": ")[2]
    return ""


def _change(state: str, action: str, words: dict[str, Any]) -> str:
    """ "→ analysée", unless the action's own words say it already ("Transmise au médiateur")."""
    return (
        ""
        if state.casefold() == action.casefold()
        else words["timeline"]["moved"].format(state=state)
    )


def _actor(actor: str, words: dict[str, Any]) -> str:
    kind, _, name = actor.partition(":")
    if kind == "staff":
        return name
    return str(words["timeline"]["actors"].get(kind, name or kind))


def read(
    entries: list[dict[str, Any]], *, lang: str, templates: Path, timezone: str
) -> list[dict[str, str]]:
    """Each entry of `show`'s history as the page prints it."""
    words = strings(templates)[lang]
    states = {s.value: w for s, w in labels(lang, customer=False).items()}
    actions = _action_words(lang, words)
    lines = []
    for entry in entries:
        moved = entry.get("from") and entry.get("from") != entry.get("to") and entry.get("to")
        action = actions.get(str(entry["action"])) or words["timeline"]["other"]
        lines.append(
            {
                "at": short_moment(datetime.fromisoformat(entry["at"]), lang, timezone),
                "actor": _actor(str(entry["actor"]), words),
                "action": action[:1].upper() + action[1:],
                "change": _change(states.get(entry["to"], ""), action, words) if moved else "",
                "detail": _detail(entry),
            }
        )
    return lines
