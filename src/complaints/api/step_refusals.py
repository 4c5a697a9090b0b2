"""A refused staff step in the member's words: the service's refusal by its key (its English
reason stays for the API and the CLI), the field it is about, and the page's own checks."""

from __future__ import annotations

from typing import Any

from complaints.errors import Refusal

PLACEHOLDER = "[…]"  # what a standard answer leaves for the handler to complete


def explained(refusal: Refusal, words: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The message at the top of the page, and the field's own message when it is about one."""
    known: dict[str, str] = words["errors"]["refused"]
    text = known.get(refusal.key or "", "")
    if not text:  # a refusal without words of its own: the page says which step, not why
        return words["errors"]["refused_other"], {}
    return text, ({refusal.field: text} if refusal.field else {})


def unfinished(step: str, fields: dict[str, str], words: dict[str, Any]) -> dict[str, str]:
    """An answer still holding a standard answer's blanks is not sent."""
    if step == "response" and PLACEHOLDER in fields.get("message", ""):
        return {"message": words["errors"]["refused"]["placeholder"]}
    return {}
