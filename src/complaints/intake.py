"""What a new complaint must carry, validated at the edge: sizes capped, no control characters,
no invisible ones in a single line, and only the channels a customer may use on public faces."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from complaints.mail.addresses import needs_smtputf8
from complaints.models import Channel
from complaints.settings import get_settings

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")
_PHONE = re.compile(r"^\+?[0-9 ().-]{6,24}$")
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): a name of these only
# looks empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# The channels a customer uses alone; phone, letter and in person are recorded by the staff.
CUSTOMER_CHANNELS = (Channel.WEB, Channel.EMAIL)
# A French postal address has at most 6 lines of 38 characters (NF Z 10-011); room to spare.
ADDRESS_LINES = 8


def _text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _visible(value: str) -> str:
    """Refuse format characters (bidirectional overrides, zero-width ones, BOM…), which make a
    line read otherwise than it is stored, and a line with nothing visible in it."""
    for char in value:
        if unicodedata.category(char) == "Cf":
            raise PydanticCustomError(
                "invisible_character",
                "contains an invisible or direction-changing character ({char})",
                {"char": f"U+{ord(char):04X}"},
            )
    if not any(unicodedata.category(c)[0] in "LNPS" and c not in _BLANK_LETTERS for c in value):
        raise PydanticCustomError("nothing_visible", "has no visible character")
    return value


def _line(value: str) -> str:
    if _LINE_BREAK.search(value):
        raise ValueError("must be on one line")
    return _visible(_text(value))


def _customer_channel(value: object) -> object:
    if value not in CUSTOMER_CHANNELS:  # a StrEnum: "web" is Channel.WEB
        raise PydanticCustomError(
            "customer_channel",
            "must be web or email: phone, letter and in_person complaints are recorded by the staff",
        )
    return value


def _optional_text(value: str) -> str:
    return _text(value) if value.strip() else ""


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > 32 or not _PHONE.match(value.strip()):
        raise ValueError("is not a phone number (digits, spaces, + ( ) . -)")
    return value.strip()


def _deliverable(value: str) -> str:
    """An address our relay can write to: accents before the @ need one with SMTPUTF8."""
    if needs_smtputf8(value) and not get_settings().smtp_utf8:
        raise PydanticCustomError(
            "email_utf8",
            "an address with accents before the @ needs a mail server with SMTPUTF8,"
            " which this installation does not use (COMPLAINTS_SMTP_UTF8)",
        )
    return value


def _postal(value: str | None) -> str | None:
    """A postal address as it goes on an envelope: its lines trimmed, empty ones dropped."""
    if value is None or not value.strip():
        return None
    lines = [_visible(_text(line)) for line in _LINE_BREAK.split(value) if line.strip()]
    if len(lines) > ADDRESS_LINES:
        raise ValueError(f"has more than {ADDRESS_LINES} lines")
    return "\n".join(lines)


def _empty_or(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """No e-mail at all (""), or a valid one."""
    return "" if isinstance(value, str) and not value.strip() else handler(value)


def _required(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError(
            "email_required",
            "must not be empty: a complaint sent by web or e-mail is answered by e-mail"
            " (letters are for phone, letter and in-person complaints recorded by the staff)",
        )
    return value


Address = Annotated[EmailStr, Field(max_length=254), AfterValidator(_deliverable)]
Line = Annotated[str, AfterValidator(_line)]
Text = Annotated[str, AfterValidator(_text)]


class Intake(BaseModel):
    """A complaint as the customer gives it."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000)

    name: Annotated[Line, Field(max_length=120)]
    # Empty for a customer without e-mail: the letters then go to `postal_address`.
    email: Annotated[Address, WrapValidator(_empty_or)]
    phone: Annotated[str | None, AfterValidator(_phone)] = None
    postal_address: Annotated[
        Annotated[str, Field(max_length=500)] | None, AfterValidator(_postal)
    ] = None
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

    @model_validator(mode="after")
    def _reachable(self) -> Intake:
        """Without e-mail, a postal address, on a channel the staff record."""
        if self.email:
            return self
        if not self.postal_address:
            raise PydanticCustomError(
                "contact_required", "give an e-mail address or a postal address for the letters"
            )
        if self.channel in CUSTOMER_CHANNELS:
            raise PydanticCustomError(
                "email_required",
                "a {channel} complaint is answered by e-mail: only phone, letter and in-person"
                " complaints may go without one",
                {"channel": self.channel.value},
            )
        return self


class PublicIntake(Intake):
    """A complaint sent by the customer through the public form or API: web or email only,
    with an e-mail address."""

    email: Annotated[Address, BeforeValidator(_required)]
    channel: Annotated[
        Channel,
        BeforeValidator(_customer_channel),
        WithJsonSchema({"type": "string", "enum": [c.value for c in CUSTOMER_CHANNELS]}),
    ] = Channel.WEB


class Rectification(BaseModel):
    """Corrected contact details (GDPR art. 16), validated as at intake."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, Field(max_length=120)] | None = None
    email: Address | None = None
    phone: Annotated[str | None, AfterValidator(_phone)] = None

    def changes(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}
