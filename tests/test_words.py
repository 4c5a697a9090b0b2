"""Words that are right: every e-mail in both languages, every variant, read for English in
French, French in English, and raw codes; the report in both languages too."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from complaints.lifecycle import State, Step
from complaints.mail.render import renderer_for
from complaints.models import ActionKind, Channel, Decision

TEMPLATES = Path(__file__).parents[1] / "templates"
KINDS = sorted(
    p.name.removesuffix(".txt.j2") for p in (TEMPLATES / "email" / "fr").glob("*.txt.j2")
)
# Words that give English away in a French text, and French in an English one.
ENGLISH = (
    r"\b(the|and|answer|answered|overdue|review|complaint|days?|late|sent|customer|dissatisfied"
    r"|satisfied|upheld|promised|received|mediator|survey|closed|reason)\b"
)
FRENCH = (
    r"\b(le|la|les|des|réclamation|réponse|délai|médiateur|enquête|clôturée|reçue|votre|nous)\b"
)
# Every code a person must never read: those of the lifecycle, the decisions, the channels, the
# alerts, the referrals and closures (words alone, like "accepted", are caught by the lists).
CODES = {
    code
    for code in (
        *(s.value for s in State),
        *(s.value for s in Step),
        *(d.value for d in Decision),
        *(c.value for c in Channel),
        "acknowledgement_late",
        "answer_overdue",
        "review_overdue",
        "no_answer",
        "no_feedback",
        "closed_by_staff",
        "no_information",
        "product_quality",
    )
    if "_" in code
} | {"True", "False", "None"}
BASE: dict[str, Any] = {
    "organisation": "Exemple Services SA",
    "name": "Marie Lefèvre",
    "reference": "REC-2026-000042",
    "subject": "Texte S",  # the customer's and the staff's own texts are left neutral
    "received_on": "2 mars 2026",
    "answer_by": "17 mars 2026",
    "state": "ÉTAT",
    "category": "CATÉGORIE",
    "tracking_url": "https://exemple.fr/suivi/t",
    "mediator": {
        "name": "Centre Alpha",
        "website": "https://m.example.org",
        "email": "m@example.org",
    },
    "product": "Box Fibre",
    "assignee": "Camille",
    "staff_url": "https://exemple.fr/staff/c/REC-2026-000042",
    "acknowledge_by": "2 mars 2026, 11:00",
    "referral_on": "23 mars 2026",
    "message": "Texte M.",
    "responder": "Camille Roux",
    "actions": [
        {"kind": k.value, "description": "Texte A", "due_on": "9 mars 2026"} for k in ActionKind
    ],
    "survey_on": "24 mars 2026",
    "satisfied_url": "https://exemple.fr/avis/t?satisfait=oui",
    "dissatisfied_url": "https://exemple.fr/avis/t?satisfait=non",
    "feedback_by": "7 avril 2026",
    "received_on_case": "2 mars 2026",
    "promised_answer_by": "17 mars 2026",
    "email": "marie@exemple.fr",
    "description": "Texte D.",
    "desired_outcome": "Texte O.",
    "note": "",
    "consumer": True,
    "consent_contact": True,
    "shared": True,
    "referred_on": "24 mars 2026",
    "contact_name": "Responsable qualité",
    "contact_email": "qualite@exemple.fr",
    "channel": "CANAL",
    "primary": "REC-2026-000041",
    "primary_url": "",
    "what": "Texte W.",
    "info_due_by": "20 mars 2026",
    "asked_on": "5 mars 2026",
    "reopen_days": 30,
    "reopen_until": "11 avril 2026",
}
VARIANTS: dict[str, dict[str, list[Any]]] = {
    "acknowledgement": {
        "reviews_left": [0, 1],
        "consent_contact": [True, False],
        "consumer": [True, False],
    },
    "answer": {
        "decision": [d.value for d in Decision],
        "survey_will_come": [True, False],
        "reviews_left": [0, 1],
        "consumer": [True, False],
    },
    "survey": {"reviews_left": [0, 1], "consumer": [True, False]},
    "review": {"reviews_left": [0, 1], "consumer": [True, False]},
    "manager_alert": {"promise": ["acknowledgement_late", "answer_overdue", "review_overdue"]},
    "mediator_referral": {"why": ["no_answer", "dissatisfied", "decided"], "shared": [True, False]},
    "mediator_case": {
        "why": ["no_answer", "dissatisfied", "decided"],
        "shared": [True, False],
        "review_answer_by": ["", "1 avril 2026"],
        "answers": [
            [],
            [{"on": "5 mars 2026", "decision": d.value, "message": "Texte R."} for d in Decision],
        ],
        "feedback": [
            [],
            [{"on": "6 mars 2026", "satisfied": s, "comment": "Texte C"} for s in (True, False)],
        ],
        "attachments": [[], [{"name": "facture.pdf", "type": "PDF", "size": "1,2 Mo"}]],
    },
    "closure": {
        "why": [
            "satisfied",
            "no_feedback",
            "mediation",
            "closed_by_staff",
            "merged",
            "no_information",
            "withdrawn",
        ],
        "note": ["Texte N"],
        "primary_url": ["", "https://exemple.fr/suivi/p"],
    },
    "unmerged": {"owes_answer": [True, False], "late": [True, False]},
    "reopened": {"by_customer": [True, False], "consumer": [True, False]},
    "operations_notice": {
        "notice": ["flow_run_failed", "referred_to_mediator", "emails_failing"],
        "about": ["handle REC-2026-000042"],
        "link": ["", "http://127.0.0.1:4200/runs/flow-run/x"],
        "when": ["2 mars 2026, 10:00"],
    },
}


def contexts(kind: str) -> list[dict[str, Any]]:
    options = VARIANTS.get(kind, {})
    return [
        {**BASE, **dict(zip(options, values, strict=True))}
        for values in itertools.product(*options.values())
    ]


def readable(rendered: Any) -> str:
    """What a person reads: the subject and both bodies, without the HTML's tags and links."""
    html = re.sub(r"<[^>]+>", " ", rendered.html)
    text = f"{rendered.subject}\n{rendered.text}\n{html}"
    for value in (BASE["tracking_url"], BASE["satisfied_url"], BASE["dissatisfied_url"]):
        text = text.replace(value, " ")
    return re.sub(r"https?://\S+|\S+@\S+", " ", text)


def test_every_kind_is_in_both_languages() -> None:
    english = sorted(
        p.name.removesuffix(".txt.j2") for p in (TEMPLATES / "email" / "en").glob("*.txt.j2")
    )
    assert english == KINDS and "closure" in KINDS and "assignee_reminder" in KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_e_mail_speaks_its_language_and_no_code(kind: str) -> None:
    renderer = renderer_for(TEMPLATES)
    for context in contexts(kind):
        for lang, foreign in (("fr", ENGLISH), ("en", FRENCH)):
            words = readable(renderer.render(kind, lang, context))
            assert not re.findall(foreign, words, flags=re.IGNORECASE), (kind, lang, context)
            assert not re.search(r"\bà le\b|\bde le\b", words), (kind, lang, context)  # au, du
            codes = [code for code in CODES if re.search(rf"(?<![\w/]){code}(?![\w])", words)]
            assert codes == [], (kind, lang, codes)


def test_the_survey_and_the_answer_say_what_happens_next() -> None:
    renderer = renderer_for(TEMPLATES)
    last = renderer.render("survey", "fr", {**BASE, "reviews_left": 0}).text
    assert "nous réexaminerons" not in last and "médiateur" in last
    quiet = renderer.render(
        "answer",
        "fr",
        {**BASE, "decision": "accepted", "survey_will_come": False, "reviews_left": 1},
    ).text
    assert "enquête que nous vous enverrons" not in quiet and "page de suivi" in quiet
    ack = renderer.render(
        "acknowledgement", "fr", {**BASE, "reviews_left": 1, "consent_contact": True}
    )
    assert "réexaminera" in ack.text and "Centre Alpha" in ack.text  # the escalation path, told
    assert "médiateur de la consommation" in ack.text and "23 mars 2026" in ack.text
    business = renderer.render(
        "acknowledgement", "fr", {**BASE, "reviews_left": 1, "consumer": False}
    )
    assert "médiateur de la consommation" not in business.text  # L. 612-1 is for consumers
    alone = renderer.render(
        "mediator_referral", "fr", {**BASE, "why": "no_answer", "shared": False}
    )
    assert "saisissez-le directement en indiquant la référence" in alone.text
    assert "il vous contactera" not in alone.text  # he cannot: he was not given the address


# The organisation's own e-mails: about its runs, not one complaint.
ORGANISATION = {"operations_notice"}


@pytest.mark.parametrize("kind", sorted(set(KINDS) - ORGANISATION))
def test_every_subject_names_the_complaint(kind: str) -> None:
    """A reply is matched to its complaint by the reference in the subject when its client
    drops the threading headers."""
    renderer = renderer_for(TEMPLATES)
    for context in contexts(kind):
        for lang in ("fr", "en"):
            subject = renderer.render(kind, lang, context).subject
            assert BASE["reference"] in subject, (kind, lang, subject)
