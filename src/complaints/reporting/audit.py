"""The ISO 10002 audit: for each guiding principle and each commitment of the charter, its
status from the data against the thresholds of the code of conduct ([audit]).

Every status can come out either way: a check is met or not met by the period's figures
(no data: it cannot say); a fixed statement is "declared", never "evidenced"; what the data
does not record is said so. Principles and commitments are looked up by key."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.dates import local_day
from complaints.models import Action, Analysis, Complaint, Event, PromiseTerms, StaffMember
from complaints.reporting.sql import Scope, share

WRITTEN = ("letter", "email", "web")  # NF X 50-056: a written complaint, answered in 15 days


@dataclass(frozen=True)
class Check:
    key: str
    value: float | None  # a share (0-1) or a count; None when nothing fell due
    threshold: float
    unit: str = "share"  # or "count"

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value >= self.threshold


@dataclass
class Item:
    key: str
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # evidence that judges nothing
    declared: list[str] = field(default_factory=list)  # fixed statements, not measured
    unrecorded: list[str] = field(default_factory=list)  # what the data cannot show

    @property
    def status(self) -> str:
        measured = [c.met for c in self.checks if c.met is not None]
        if False in measured:
            return "partial" if True in measured else "not_met"
        if self.unrecorded:
            return "partial" if measured or self.declared or self.facts else "not_recorded"
        if self.checks and not measured:
            return "no_data"
        if measured:
            return "evidenced" if len(measured) == len(self.checks) else "partial"
        return "declared"

    def as_dict(self) -> dict[str, Any]:
        checks = [{**asdict(c), "met": c.met} for c in self.checks]
        return {**asdict(self), "checks": checks, "status": self.status}


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _counts(app: App, scope: Scope, now: datetime) -> dict[str, Any]:
    ids = select(Complaint.id).where(*scope.where())
    staff_events = and_(Event.complaint_id.in_(ids), Event.actor_kind == "staff")
    answered = and_(*scope.where(), Complaint.first_answered_at.is_not(None))
    today = local_day(now, app.conduct.organisation.timezone)
    due_actions = and_(Action.complaint_id.in_(ids), Action.due_on < today)
    referrals = and_(
        Event.complaint_id.in_(
            select(Complaint.id).where(*scope.where(), ~Complaint.consent_share)
        ),
        Event.action == "refer_to_mediator",
    )
    with app.db.reader() as session:
        withheld = [
            bool((data or {}).get("withheld"))
            for data in session.scalars(select(Event.data).where(referrals))
        ]
        return {
            "staff_events": _count(session, select(func.count()).where(staff_events)),
            "known_actor_events": _count(
                session,
                select(func.count()).where(staff_events, Event.actor.in_(select(StaffMember.name))),
            ),
            "data_views": _count(
                session,
                select(func.count()).where(
                    Event.complaint_id.in_(ids), Event.action == "personal_data_viewed"
                ),
            ),
            "answered": _count(session, select(func.count()).where(answered)),
            "analysed_by_a_person": _count(
                session,
                select(func.count()).where(
                    answered,
                    Complaint.id.in_(select(Analysis.complaint_id).where(~Analysis.automatic)),
                ),
            ),
            "actions_due": _count(session, select(func.count()).where(due_actions)),
            "actions_done_on_time": _count(
                session,
                select(func.count()).where(
                    due_actions,
                    Action.done_at.is_not(None),
                    func.date(Action.done_at) <= Action.due_on,
                ),
            ),
            "actions": _count(session, select(func.count()).where(Action.complaint_id.in_(ids))),
            "actions_checked": _count(
                session,
                select(func.count()).where(
                    Action.complaint_id.in_(ids), Action.checked_at.is_not(None)
                ),
            ),
            "actions_effective": _count(
                session,
                select(func.count()).where(
                    Action.complaint_id.in_(ids), Action.effective.is_(True)
                ),
            ),
            "referrals_without_consent": len(withheld),
            "referrals_withheld": sum(withheld),
            "code_versions": [
                at.date().isoformat()
                for at in session.scalars(
                    select(PromiseTerms.created_at).order_by(PromiseTerms.created_at)
                )
            ],
        }


def _written_rate(register: dict[str, Any]) -> float | None:
    groups = [g for g in register["answer"]["by"]["channel"] if g["value"] in WRITTEN]
    return share(sum(g["kept"] for g in groups), sum(g["due"] for g in groups))


def audit(
    *,
    app: App,
    scope: Scope,
    now: datetime,
    overview: dict[str, Any],
    register: list[dict[str, Any]],
    recurring: list[dict[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """Status and evidence per principle (ISO 10002 §4) and per commitment of the charter."""
    c, bar = _counts(app, scope, now), app.conduct.audit
    promise = {p["key"]: p for p in register}
    total = overview["total"]
    channels = [value for value, _ in overview["by"]["channel"]]
    ack = Check("acknowledge_on_time", promise["acknowledge"]["rate"], bar.acknowledge_on_time)
    answer = Check("answer_on_time", promise["answer"]["rate"], bar.answer_on_time)
    informed = Check(
        "acknowledgement_delivered",
        share(overview["acknowledgement_hours"]["count"], promise["acknowledge"]["due"]),
        bar.informed,
    )
    follow_up = Check("follow_up_sent", promise["follow_up"]["rate"], bar.follow_up_sent)
    mediator = Check("mediator_told", promise["mediation"]["rate"], bar.mediator_told)
    done = Check(
        "actions_done_on_time",
        share(c["actions_done_on_time"], c["actions_due"]),
        bar.actions_done_on_time,
    )
    improvement_facts = {
        "recurring": len(recurring),
        "actions": c["actions"],
        "checked": c["actions_checked"],
        "effective": c["actions_effective"],
    }
    confidentiality = Item(
        "confidentiality",
        [
            Check(
                "withheld_without_consent",
                share(c["referrals_withheld"], c["referrals_without_consent"]),
                1.0,
            )
        ],
        {"data_views": c["data_views"]},
        ["personal_data_apart"],
    )
    accountability = Item(
        "accountability",
        [Check("known_actors", share(c["known_actor_events"], c["staff_events"]), 1.0)],
        {"staff_events": c["staff_events"]},
    )
    principles = [
        Item(
            "visibility",
            [Check("complaints_received", total or None, 1, "count")],
            {"channels": channels},
            ["code_published"],
        ),
        Item(
            "accessibility",
            [Check("channels_used", len(channels) if total else None, bar.channels, "count")],
            {"channels": channels},
            ["form_open"],
        ),
        Item(
            "responsiveness",
            [ack, answer],
            {
                "ack_median": overview["acknowledgement_hours"]["median"],
                "answer_median": overview["answer_days"]["median"],
            },
        ),
        Item(
            "objectivity",
            [
                Check(
                    "analysed_by_a_person",
                    share(c["analysed_by_a_person"], c["answered"]),
                    bar.analysed_by_a_person,
                )
            ],
            {"reopen_rate": overview["reopen_rate"], "reopened_rate": overview["reopened_rate"]},
            ["priority_by_severity"],
        ),
        Item("charges", [], {}, ["free_of_charge"]),
        confidentiality,
        Item(
            "customer_focus",
            [follow_up],
            {
                "satisfaction": overview["satisfaction"]["rate"],
                "answered_surveys": overview["satisfaction"]["answered_surveys"],
            },
        ),
        accountability,
        Item("improvement", [done], improvement_facts),
    ]
    charter = [
        Item("listen", [ack]),
        Item("transparency", [informed], {}, ["tracking_page"]),
        Item(
            "confidentiality",
            confidentiality.checks,
            confidentiality.facts,
            confidentiality.declared,
        ),
        Item("fair_fast", [answer], {}, ["review_then_mediator"]),
        Item("competence", [], {"staff_events": c["staff_events"]}, [], ["training"]),
        Item("follow_up", [follow_up, done], improvement_facts),
        Item("neutrality", [], {}, [], ["retaliation"]),
        Item(
            "law",
            [mediator, Check("written_answer_on_time", _written_rate(promise), bar.answer_on_time)],
        ),
        Item("responsibility", accountability.checks, accountability.facts),
        Item(
            "evolution",
            [],
            {"code_versions": c["code_versions"]},
            [],
            ["charter_reviews"],
        ),
    ]
    return {
        "principles": [i.as_dict() for i in principles],
        "charter": [i.as_dict() for i in charter],
    }
