"""Retention (GDPR storage limitation): anonymise complaints closed longer than the period."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow

from complaints.clock import at_or_now
from tasks.artifacts import publish_sweep
from tasks.groups import finish, for_each
from tasks.naming import sweep
from tasks.privacy import anonymise, find_expired


@flow(name="anonymise-expired", flow_run_name=sweep("retention"))
async def anonymise_expired(as_of: datetime | None = None) -> dict[str, int]:
    """Every closed complaint past `retention.years_after_closure` loses its personal data."""
    as_of = at_or_now(as_of)
    expired = await find_expired(as_of)
    outcomes = await for_each(anonymise, expired, as_of)
    await publish_sweep("retention", as_of, anonymise=outcomes)
    counts = {
        "expired": len(expired),
        "anonymised": sum(1 for outcome in outcomes.values() if outcome == "anonymised"),
    }
    return finish(counts, outcomes)
