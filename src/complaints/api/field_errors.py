"""pydantic's refusals of a form in the visitor's words (templates/web/strings.toml), by field:
never pydantic's English messages nor its links."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

REQUIRED = {"missing", "string_too_short", "too_short"}
CHOICE = {"enum", "literal_error", "bool_parsing", "bool_type", "string_pattern_mismatch"}


def explain(error: ErrorDetails, texts: dict[str, Any]) -> str:
    """One field's refusal as a sentence of `texts` (one language's strings)."""
    kind = error["type"]
    if kind in REQUIRED:
        return str(texts["err_required"])
    if kind == "string_too_long":
        return str(texts["err_too_long"]).format(max=error.get("ctx", {}).get("max_length", ""))
    if kind.startswith(("date_", "datetime_")):
        return str(texts["err_date"])
    if kind in CHOICE:
        return str(texts["err_choice"])
    if kind == "extra_forbidden":
        return str(texts["err_unexpected"])
    return str(texts["err_invalid"])


def by_field(refusal: ValidationError, texts: dict[str, Any]) -> dict[str, str]:
    """{field: sentence}, the first refusal of each field, in the model's order."""
    fields: dict[str, str] = {}
    for error in refusal.errors(include_url=False):
        key = str(error["loc"][0]) if error["loc"] else ""
        fields.setdefault(key, explain(error, texts))
    return fields
