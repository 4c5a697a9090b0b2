"""The automatic first pass of analysis: category, severity and priority from rules. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from complaints.conduct import Conduct


def _fold(text: str) -> str:
    """Lower case without accents, so "Sécurité" matches "securite"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _mentions(folded_text: str, keyword: str) -> bool:
    return re.search(rf"\b{re.escape(_fold(keyword))}", folded_text) is not None


@dataclass(frozen=True)
class Triage:
    category: str
    severity: str
    priority: int
    matched: tuple[str, ...]


def classify(conduct: Conduct, *, subject: str, description: str) -> Triage:
    """Category by most keywords matched, severity by the gravest keyword found."""
    text = _fold(f"{subject}\n{description}")
    matched: list[str] = []
    best, best_hits = conduct.triage.default_category, 0
    for category in conduct.categories:
        hits = [k for k in category.keywords if _mentions(text, k)]
        matched.extend(hits)
        if len(hits) > best_hits:
            best, best_hits = category.key, len(hits)
    severity = "normal"
    for level in ("critical", "high"):
        if any(_mentions(text, k) for k in conduct.triage.severity_keywords.get(level, [])):
            severity = level
            break
    priority = conduct.triage.priority.get(severity, 3)
    return Triage(
        category=best, severity=severity, priority=priority, matched=tuple(sorted(set(matched)))
    )
