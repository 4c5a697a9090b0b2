"""What a new complaint must carry, validated at the edge: sizes capped, no control characters."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from complaints.models import Channel

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")
_PHONE = re.compile(r"^\+?[0-9 ().-]{6,24}$")


def _text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _line(value: str) -> str:
    if _LINE_BREAK.search(value):
        raise ValueError("must be on one line")
    return _text(value)


def _optional_text(value: str) -> str:
    return _text(value) if value.strip() else ""


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > 32 or not _PHONE.match(value.strip()):
        raise ValueError("is not a phone number (digits, spaces, + ( ) . -)")
    return value.strip()


Line = Annotated[str, AfterValidator(_line)]
Text = Annotated[str, AfterValidator(_text)]


class Intake(BaseModel):
    """A complaint as the customer gives it."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000)

    name: Annotated[Line, Field(max_length=120)]
    email: Annotated[EmailStr, Field(max_length=254)]
    phone: Annotated[str | None, AfterValidator(_phone)] = None
    subject: Annotated[Line, Field(max_length=200)]
    description: Annotated[Text, Field(max_length=10_000)]
    desired_outcome: Annotated[str, AfterValidator(_optional_text), Field(max_length=2_000)] = ""
    channel: Channel = Channel.WEB
    product: Annotated[Line, Field(max_length=80)]
    region: Annotated[Line, Field(max_length=80)]
    customer_type: Annotated[Line, Field(max_length=40)] = "individual"
    language: Literal["fr", "en"] = "fr"
    # Consent is asked, never assumed (no pre-ticked box): to be contacted for the satisfaction
    # follow-up, and to share one's identity and account with the mediator.
    consent_contact: bool = False
    consent_share: bool = False


class Rectification(BaseModel):
    """Corrected contact details (GDPR art. 16), validated as at intake."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, Field(max_length=120)] | None = None
    email: Annotated[EmailStr, Field(max_length=254)] | None = None
    phone: Annotated[str | None, AfterValidator(_phone)] = None

    def changes(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}
