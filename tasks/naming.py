"""Task run names that carry the complaint references (never personal data)."""

from prefect.runtime import task_run

from complaints.batching import label


def by_reference() -> str:
    """`acknowledge REC-2026-000042`, or `acknowledge REC-…001…REC-…050 (50)` for a batch."""
    references = task_run.parameters.get("references") or []
    return f"{task_run.task_name} {label(references)}"
