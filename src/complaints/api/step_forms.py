"""A staff step's form on the staff page, made from its body's fields: its title, each
field's kind (text, long text, choice, date, number, flag), and the form read back."""

from __future__ import annotations

import types
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from complaints.staff_steps import StaffStep

LONG = 200  # a text field allowed more than this is a text area


def _inner(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        return next(a for a in get_args(annotation) if a is not type(None))
    return annotation


def _field(name: str, info: FieldInfo) -> dict[str, Any]:
    kind, choices = "text", []
    inner = _inner(info.annotation)
    if inner is bool:
        kind = "flag"
    elif isinstance(inner, type) and issubclass(inner, Enum):
        kind, choices = "choice", [member.value for member in inner]
    elif get_origin(inner) is Literal:
        kind, choices = "choice", list(get_args(inner))
    elif inner is date:
        kind = "date"
    elif inner is int:
        kind = "number"
    else:
        longest = max((getattr(m, "max_length", 0) or 0 for m in info.metadata), default=0)
        kind = "long" if longest > LONG else "text"
    return {
        "name": name,
        "kind": kind,
        "choices": choices,
        "required": info.is_required(),
        "help": info.description or name,
    }


def title(spec: StaffStep, lang: str, words: dict[str, Any]) -> str:
    """The form's title: its words in strings.toml's [*.staff.forms], else the step's own."""
    forms: dict[str, str] = words["staff"].get("forms", {})
    return forms.get(spec.key) or spec.transition.label(lang)


def form_of(spec: StaffStep, lang: str, words: dict[str, Any]) -> dict[str, Any]:
    """What the page needs to show `spec`'s form: its own template if it has one."""
    return {
        "key": spec.key,
        "title": title(spec, lang, words),
        "fields": [_field(name, info) for name, info in spec.body.model_fields.items()],
        "templates": [f"web/steps/{spec.key}.html.j2", "web/steps/_generic.html.j2"],
    }


def parse_form(spec: StaffStep, form: dict[str, str]) -> dict[str, Any]:
    """The form's values for the body's model: a flag is "yes" when ticked, absent when not."""
    values: dict[str, Any] = dict(form)
    for name, info in spec.body.model_fields.items():
        if _inner(info.annotation) is bool:
            values[name] = form.get(name) == "yes"
        elif name in values and values[name] == "" and not info.is_required():
            del values[name]
    return values
