"""Refusals a person can act on; each changes nothing."""

from complaints.lifecycle import IllegalTransition
from complaints.repository import NotFound


class RuleViolation(ValueError):
    """A step the lifecycle allows but the code of conduct does not, yet."""


class AlreadyAnswered(RuleViolation):
    """The survey of this answer was already answered."""


class NotListed(ValueError):
    """A value the code of conduct does not offer for this field (422)."""

    def __init__(self, field: str, value: str, allowed: list[str]) -> None:
        self.field = field
        super().__init__(f"{field}: {value!r} is not one of: {', '.join(allowed)}")


REFUSALS = (IllegalTransition, NotFound, RuleViolation, NotListed)
