"""Refusals a person can act on; each changes nothing."""

from complaints.lifecycle import IllegalTransition
from complaints.repository import NotFound


class RuleViolation(ValueError):
    """A step the lifecycle allows but the code of conduct does not, yet."""


class AlreadyAnswered(RuleViolation):
    """The survey of this answer was already answered."""


REFUSALS = (IllegalTransition, NotFound, RuleViolation)
