"""The ISO 10002 audit: for each guiding principle and each commitment of the charter,
the evidence the recorded data gives, and what is missing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from complaints.app import App
from complaints.models import Action, Analysis, Complaint, Event, Survey
from complaints.reporting.sql import Scope


def _counts(app: App, scope: Scope) -> dict[str, Any]:
    where = scope.where()
    ids = select(Complaint.id).where(*where)
    with app.db.reader() as session:

        def n(query: Any) -> int:
            return int(session.scalar(query) or 0)

        return {
            "events": n(select(func.count()).select_from(Event).where(Event.complaint_id.in_(ids))),
            "events_with_actor": n(
                select(func.count())
                .select_from(Event)
                .where(Event.complaint_id.in_(ids), Event.actor != "")
            ),
            "staff_steps": n(
                select(func.count())
                .select_from(Event)
                .where(Event.complaint_id.in_(ids), Event.actor_kind == "staff")
            ),
            "data_views": n(
                select(func.count())
                .select_from(Event)
                .where(Event.complaint_id.in_(ids), Event.action == "personal_data_viewed")
            ),
            "human_analyses": n(
                select(func.count(func.distinct(Analysis.complaint_id))).where(
                    Analysis.complaint_id.in_(ids), Analysis.automatic.is_(False)
                )
            ),
            "actions": n(
                select(func.count()).select_from(Action).where(Action.complaint_id.in_(ids))
            ),
            "actions_done": n(
                select(func.count())
                .select_from(Action)
                .where(Action.complaint_id.in_(ids), Action.done_at.is_not(None))
            ),
            "actions_checked": n(
                select(func.count())
                .select_from(Action)
                .where(Action.complaint_id.in_(ids), Action.checked_at.is_not(None))
            ),
            "actions_effective": n(
                select(func.count())
                .select_from(Action)
                .where(Action.complaint_id.in_(ids), Action.effective.is_(True))
            ),
            "surveys_sent": n(
                select(func.count(Survey.sent_at)).where(Survey.complaint_id.in_(ids))
            ),
            "languages": {
                str(lang): int(n)
                for lang, n in session.execute(
                    select(Complaint.language, func.count())
                    .where(*where)
                    .group_by(Complaint.language)
                )
            },
        }


def _item(key: str, title: str, evidence: list[str], missing: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "evidence": evidence,
        "missing": missing,
        "status": "evidenced"
        if evidence and not missing
        else ("partial" if evidence else "missing"),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def audit(
    *,
    app: App,
    scope: Scope,
    overview: dict[str, Any],
    register: list[dict[str, Any]],
    recurring: list[dict[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """Evidence per principle (ISO 10002 §4) and per commitment of the charter."""
    c = _counts(app, scope)
    ack, answer = overview["acknowledgement_hours"], overview["answer_days"]
    promise = {p["key"]: p for p in register}
    channels = [v for v, _ in overview["by"]["channel"]]
    total = overview["total"]
    principles = [
        _item(
            "visibility",
            "Visibilité / Visibility",
            [
                f"{total} complaints received through {len(channels)} channel(s): {', '.join(channels) or '—'}",
                "the code of conduct is published as data (config/conduct.toml) and the promise register page",
            ],
            [] if total else ["no complaint in the period"],
        ),
        _item(
            "accessibility",
            "Accessibilité / Accessibility",
            [
                f"languages used: {', '.join(f'{k} {v}' for k, v in c['languages'].items()) or '—'}",
                "web form without account or JavaScript; phone, letter, e-mail and in-person intake",
            ],
            [],
        ),
        _item(
            "responsiveness",
            "Réactivité / Responsiveness",
            [
                f"acknowledgement median {ack['median']} h, 90th percentile {ack['p90']} h, "
                f"on time {_pct(ack['on_time_share'])}",
                f"answer median {answer['median']} days, on time {_pct(answer['on_time_share'])}",
            ],
            [] if ack["count"] else ["no acknowledgement recorded"],
        ),
        _item(
            "objectivity",
            "Objectivité / Objectivity",
            [
                f"{c['human_analyses']} of {total} complaints analysed by a named person",
                "priority derives from severity only, never from the customer type",
                f"reopened for internal review: {_pct(overview['reopen_rate'])} of answered complaints",
            ],
            [] if c["human_analyses"] else ["no analysis by a person recorded"],
        ),
        _item(
            "charges",
            "Gratuité / Charges",
            [
                "no charge can be recorded: the process has no fee field; "
                "mediation is stated as free in every answer"
            ],
            ["the absence of charges is by design, not measured"],
        ),
        _item(
            "confidentiality",
            "Confidentialité / Confidentiality",
            [
                f"{c['data_views']} staff reads of complaint files logged with name and time",
                "personal data kept apart from the complaint's facts; none in Prefect (tested)",
            ],
            [] if c["data_views"] else ["no staff read through the API in the period"],
        ),
        _item(
            "customer_focus",
            "Approche orientée client / Customer-focused approach",
            [
                f"surveys sent: {c['surveys_sent']}, answered: {overview['satisfaction']['answered_surveys']}, "
                f"satisfied: {_pct(overview['satisfaction']['rate'])}"
            ],
            [] if c["surveys_sent"] else ["no satisfaction survey sent in the period"],
        ),
        _item(
            "accountability",
            "Responsabilisation / Accountability",
            [
                f"{c['events_with_actor']} of {c['events']} recorded steps carry who acted",
                f"{c['staff_steps']} staff steps by named staff; every action has an owner ({c['actions']} actions)",
            ],
            []
            if c["events"] and c["events"] == c["events_with_actor"]
            else ["steps without an actor"],
        ),
        _item(
            "improvement",
            "Amélioration continue / Continual improvement",
            [
                f"{len(recurring)} recurring cause(s) flagged",
                f"actions completed {c['actions_done']} of {c['actions']}; effect checked {c['actions_checked']}, "
                f"effective {c['actions_effective']}",
            ],
            [] if c["actions"] else ["no corrective or preventive action planned"],
        ),
    ]
    charter = [
        _item(
            "listen",
            "1. Écoute et respect",
            [f"every complaint acknowledged: {_pct(promise['acknowledge']['rate'])} on time"],
            [],
        ),
        _item(
            "transparency",
            "2. Transparence et communication",
            ["deadline stated in the acknowledgement; tracking page for every complaint"],
            [],
        ),
        _item(
            "confidentiality",
            "3. Confidentialité",
            principles[5]["evidence"],
            principles[5]["missing"],
        ),
        _item(
            "fair_fast",
            "4. Résolution juste et rapide",
            [f"answers on time {_pct(promise['answer']['rate'])}; internal review then mediator"],
            [],
        ),
        _item(
            "competence",
            "5. Compétence et professionnalisme",
            [f"{c['staff_steps']} steps by named staff"],
            ["training and competence of the team are not recorded"],
        ),
        _item(
            "follow_up",
            "6. Suivi et amélioration continue",
            principles[8]["evidence"],
            principles[8]["missing"],
        ),
        _item(
            "neutrality",
            "7. Protection et neutralité",
            [],
            [
                "no measure of retaliation or discrimination; a customer's later complaints are not linked"
            ],
        ),
        _item(
            "law",
            "8. Respect des lois",
            [
                f"mediator's contact given in {_pct(promise['mediation']['rate'])} of answers (consumer code L.612-1)"
            ],
            [],
        ),
        _item(
            "responsibility",
            "9. Responsabilité",
            principles[7]["evidence"],
            principles[7]["missing"],
        ),
        _item(
            "evolution",
            "10. Évolution et mise à jour",
            ["the code of conduct is versioned with the software"],
            ["no record of charter reviews"],
        ),
    ]
    return {"principles": principles, "charter": charter}
