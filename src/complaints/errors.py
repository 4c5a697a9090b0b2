"""Refusals a person can act on, each with its status; each changes nothing. The API answers
a refusal with its status and its message (api/errors.py), the CLI with one line and exit 1
(cli/base.py `refusing`)."""

from __future__ import annotations


class Refusal(Exception):
    """Something the caller asked that is refused; `status` says how (HTTP's words). `key`
    names the words that say it to a person on a page (templates/web/strings.toml's
    [*.errors.refused]), `field` the form's field it is about."""

    status = 422
    key: str | None = None
    field: str | None = None

    def __init__(self, *args: object, key: str | None = None, field: str | None = None) -> None:
        super().__init__(*args)
        self.key = key or self.key
        self.field = field or self.field


class Invalid(Refusal, ValueError):
    """Invalid input (422)."""


class NotFound(Refusal, LookupError):
    """No such complaint, survey or link (404)."""

    status = 404


class Conflict(Refusal, ValueError):
    """The input is valid but the complaint's state or records refuse it now (409)."""

    status = 409


class Forbidden(Refusal):
    """A step this person's role may not take (403)."""

    status = 403


class IllegalTransition(Conflict):
    """A step that the complaint's state does not allow."""


class RuleViolation(Conflict):
    """A step the lifecycle allows but the code of conduct does not, yet."""


class AlreadyAnswered(RuleViolation):
    """The survey of this answer was already answered."""


class NotListed(Invalid):
    """A value the code of conduct does not offer for this field (422)."""

    field: str

    def __init__(self, field: str, value: str, allowed: list[str]) -> None:
        self.field = field
        super().__init__(f"{field}: {value!r} is not one of: {', '.join(allowed)}")


class FileRefused(Invalid):
    """A customer's file refused (422): `kind` says why (empty, too_large, type, too_many,
    too_much), `limit` the figure it passed (bytes, files, or the type found)."""

    def __init__(self, kind: str, filename: str, limit: int | str, message: str) -> None:
        self.kind, self.filename, self.limit = kind, filename, limit
        super().__init__(message)
