"""The lifecycle's table, rendered: the README's section and `complaints lifecycle` show
exactly what the lifecycle package declares (a test keeps the README equal to it)."""

from __future__ import annotations

from complaints.lifecycle import PHASES, TRANSITIONS, Clock, State, Transition, Wake

WAKES = {
    Wake.AT_ONCE: "at once",
    Wake.ANSWER: "the answer's date, then the referral's",
    Wake.SURVEY: "the survey's date",
    Wake.FEEDBACK: "the survey's closing date",
    Wake.INFORMATION: "the reminder, then the information's date",
    Wake.NEVER: "—",
}
CLOCKS = {
    Clock.KEEP: "—",
    Clock.PAUSE: "pauses the answer's clock",
    Clock.RESUME: "moves every deadline by the paused span",
    Clock.PROMISE: "a new promised answer date",
    Clock.STOP: "stops every deadline",
    Clock.RUN: "its deadlines run again",
}


def _states(states: frozenset[State]) -> str:
    if states == frozenset(State):
        return "any"
    if states == frozenset(State) - {State.CLOSED}:
        return "any open"
    return ", ".join(s.value for s in State if s in states)


def _target(move: Transition) -> str:
    if move.returns:
        return "back where it was"
    return move.target.value if move.target else "(stays)"


def rows() -> tuple[list[list[str]], list[list[str]]]:
    """(states, steps) as table rows."""
    states = [
        [
            state.value,
            f"{phase.staff.fr} / {phase.staff.en}",
            phase.waits_on.value,
            "yes" if phase.answer_clock else "no",
            WAKES[phase.wake],
        ]
        for state, phase in PHASES.items()
    ]
    steps = [
        [
            str(step),
            _states(move.sources),
            _target(move),
            ", ".join(sorted(role.value for role in move.by)),
            f"{move.customer.fr} / {move.customer.en}" if move.customer else "no",
            CLOCKS[move.clock],
            (move.guard.__doc__ or "").strip() if move.guard else "",
        ]
        for step, move in TRANSITIONS.items()
    ]
    return states, steps


STATE_HEADER = [
    "state",
    "words (fr / en)",
    "waits on",
    "answer's clock runs",
    "wakes the system at",
]
STEP_HEADER = ["step", "from", "to", "taken by", "the customer sees", "deadlines", "only"]


def _table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    return "\n".join(lines)


def markdown() -> str:
    states, steps = rows()
    return f"{_table(STATE_HEADER, states)}\n\n{_table(STEP_HEADER, steps)}\n"
