"""How complaints are grouped into task runs: one each when few wait, batches when many do."""

from __future__ import annotations

from collections.abc import Sequence


def groups(references: Sequence[str], *, threshold: int, size: int) -> list[list[str]]:
    """Singletons up to `threshold` complaints, else chunks of `size`; order kept, duplicates dropped."""
    unique = list(dict.fromkeys(references))
    if len(unique) <= threshold:
        return [[reference] for reference in unique]
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def label(references: Sequence[str]) -> str:
    """A run name part: the reference, or the first and last of a batch and its size."""
    if not references:
        return "(none)"
    if len(references) == 1:
        return references[0]
    return f"{references[0]}…{references[-1]} ({len(references)})"
