"""The code of conduct (ISO 10001) as validated data: promises, categories, mediators."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Data):
    name: str
    language: Literal["fr", "en"] = "fr"
    manager_name: str
    manager_email: EmailStr
    # Printed at the top of the letters to customers without e-mail (lines apart).
    postal_address: str = Field("", max_length=500)
    review_recipients: list[EmailStr] = []  # who receives the monthly review report
    # Days are counted, and dates shown, in this time zone: a complaint received at 00:30 in
    # Paris is received that day, whatever the date in UTC.
    timezone: str = "Europe/Paris"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Paris)") from None
        return value


class Acknowledge(_Data):
    within_minutes: int = Field(60, ge=0)


class Answer(_Data):
    days: int = Field(15, ge=1)
    counting: Literal["calendar", "business"] = "calendar"
    by_channel: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    review_days: int = Field(15, ge=1)
    holidays: str = Field("FR", min_length=2, max_length=2)  # business days skip this country's


class FollowUp(_Data):
    survey_after_days: int = Field(7, ge=0)
    close_after_days: int = Field(14, ge=1)


class Escalation(_Data):
    grace_days: int = Field(5, ge=0)
    internal_reviews: int = Field(1, ge=0)


class Information(_Data):
    """Information asked of the customer: the answer's clock pauses until it comes."""

    answer_days: int = Field(15, ge=1)  # by then without it, the complaint closes
    reminder_after_days: int = Field(7, ge=1)  # a reminder this long after the request


class Reopening(_Data):
    within_days: int = Field(30, ge=0)  # after closure; later, a new complaint linked to it


class Handling(_Data):
    assignee_reminder_days: int = Field(
        2, ge=0
    )  # the assignee reminded this long before the due day


class Triage(_Data):
    recurring_window_days: int = Field(90, ge=1)
    duplicate_window_days: int = Field(30, ge=1)  # same customer, product, category: a duplicate?
    default_category: str = "other"
    severity_keywords: dict[Literal["critical", "high"], list[str]] = {}
    priority: dict[str, int] = {"critical": 1, "high": 2, "normal": 3}


class Improvement(_Data):
    recurring_threshold: int = Field(3, ge=2)  # this many of one product and category in the window
    recurring_window_days: int = Field(90, ge=1)
    effectiveness_after_days: int = Field(90, ge=1)  # when a corrective action's effect is checked


class Choice(_Data):
    """One entry of a list offered at intake: the value stored, and its words."""

    key: str = Field(min_length=1, max_length=40)
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class CustomerType(Choice):
    """A kind of customer; whether the consumer mediator (French consumer code L. 612-1)
    applies is said for each, never guessed from its name."""

    consumer: bool


# The intake's fields whose values come from a list of the code of conduct.
LISTED = ("customer_type", "region")


class EmailIntake(_Data):
    """What a complaint that arrives by e-mail does not say, until a person corrects it."""

    product: str = Field("à préciser", min_length=1, max_length=80)
    region: str = Field("Non précisée", min_length=1)  # a key of the regions' list
    customer_type: str = Field("individual", min_length=1)  # a key of the customer types


class IntakeRules(_Data):
    # A letter's date of receipt may be given when it is recorded later, at most this long ago.
    received_on_max_days: int = Field(31, ge=0)
    customer_types: list[CustomerType] = Field(min_length=1)
    regions: list[Choice] = Field(min_length=1)
    email: EmailIntake = EmailIntake()

    @model_validator(mode="after")
    def _keys_unique(self) -> IntakeRules:
        for field in LISTED:
            keys = [c.key.casefold() for c in self.choices(field)]
            if len(keys) != len(set(keys)):
                raise ValueError(f"intake: two {field} entries have the same key")
        for field in LISTED:
            given = getattr(self.email, field)
            if self.key(field, given) is None:
                raise ValueError(f"intake.email: {field} {given!r} is not in the {field} list")
        return self

    def choices(self, field: str) -> list[Choice]:
        """The list offered for `field`; none for a field the code of conduct does not list."""
        lists: dict[str, list[Choice]] = {
            "customer_type": list(self.customer_types),
            "region": self.regions,
        }
        return lists.get(field, [])

    def key(self, field: str, given: str) -> str | None:
        """The key that `given` names (the key, or its words in either language, in any case)."""
        wanted = given.strip().casefold()
        for choice in self.choices(field):
            if wanted in (choice.key.casefold(), choice.fr.casefold(), choice.en.casefold()):
                return choice.key
        return None

    def consumer(self, customer_type: str) -> bool:
        """Whether the consumer mediator applies to this customer type; a value no longer
        listed is taken as a consumer's, whom the law requires us to tell."""
        listed = {kind.key: kind.consumer for kind in self.customer_types}
        return listed.get(customer_type, True)

    def label(self, field: str, key: str, lang: str) -> str:
        """`key` in words; a value stored before it was listed is shown as it was stored."""
        found = [c for c in self.choices(field) if c.key == key]
        return str(getattr(found[0], lang)) if found else key


class Audit(_Data):
    """The thresholds at which the ISO 10002 audit calls a principle evidenced by the data."""

    acknowledge_on_time: float = Field(0.95, ge=0, le=1)
    informed: float = Field(0.98, ge=0, le=1)  # acknowledgements delivered at all
    answer_on_time: float = Field(0.90, ge=0, le=1)
    follow_up_sent: float = Field(0.90, ge=0, le=1)
    mediator_told: float = Field(1.0, ge=0, le=1)
    analysed_by_a_person: float = Field(1.0, ge=0, le=1)
    actions_done_on_time: float = Field(0.80, ge=0, le=1)
    channels: int = Field(2, ge=1)  # channels actually used, for accessibility


class Retention(_Data):
    """How long a closed complaint keeps the complainant's personal data (GDPR art. 5(1)(e))."""

    years_after_closure: int = Field(3, ge=1)


class Category(_Data):
    key: str
    fr: str
    en: str
    keywords: list[str] = []


class Mediator(_Data):
    key: str
    name: str
    email: EmailStr
    website: str
    products: list[str] = []


class Terms(_Data):
    """The promises a complaint is made under, frozen with it when it is received: a later code
    of conduct applies to complaints received after it (ISO 10001: a promise, once told,
    belongs to the customer it was told to)."""

    acknowledge: Acknowledge
    answer: Answer
    follow_up: FollowUp
    escalation: Escalation
    timezone: str
    information: Information = Information()
    reopening: Reopening = Reopening()

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class Conduct(_Data):
    organisation: Organisation
    acknowledge: Acknowledge = Acknowledge()
    answer: Answer = Answer()
    follow_up: FollowUp = FollowUp()
    escalation: Escalation = Escalation()
    information: Information = Information()
    reopening: Reopening = Reopening()
    handling: Handling = Handling()
    triage: Triage = Triage()
    improvement: Improvement = Improvement()
    retention: Retention = Retention()
    intake: IntakeRules
    audit: Audit = Audit()
    categories: list[Category]
    mediators: list[Mediator] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_category_exists(self) -> Conduct:
        if self.triage.default_category not in self.category_keys():
            raise ValueError(
                f"triage.default_category {self.triage.default_category!r} is not a category"
            )
        return self

    def terms(self) -> Terms:
        """The promises this code of conduct makes to a complaint received now."""
        return Terms(
            acknowledge=self.acknowledge,
            answer=self.answer,
            follow_up=self.follow_up,
            escalation=self.escalation,
            timezone=self.organisation.timezone,
            information=self.information,
            reopening=self.reopening,
        )

    def category_keys(self) -> list[str]:
        return [c.key for c in self.categories]

    def category(self, key: str) -> Category:
        return next(c for c in self.categories if c.key == key)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_conduct(default: Path, override: Path | None = None) -> Conduct:
    """Read the default code of conduct, with the keys of `override` over it."""
    data = tomllib.loads(default.read_text(encoding="utf-8"))
    if override is not None:
        data = _merge(data, tomllib.loads(override.read_text(encoding="utf-8")))
    return Conduct.model_validate(data)
