"""What a flow run failed to do reaches its caller, even when Prefect lost the state's data."""

from __future__ import annotations

import pickle

from prefect.exceptions import FailedRun

from complaints import orchestration
from complaints.orchestration import Unfinished


def test_a_failed_run_read_back_without_its_data_still_says_what_failed() -> None:
    kept = orchestration.said(
        Unfinished("2 complaint(s) not fully handled: A, B", {"handled": 2}, {"A": "x", "B": "y"})
    )
    # A Failed state read back from the API has only its message: FailedRun carries that.
    again = orchestration.recovered(FailedRun("2 complaint(s) not fully handled: A, B"))
    assert again is kept and again.failed == {"A": "x", "B": "y"}
    lost = orchestration.recovered(FailedRun("1 complaint(s) not fully handled: C"))
    assert lost.result == {} and list(lost.failed) == ["1 complaint(s) not fully handled: C"]


def test_unfinished_survives_pickling_for_persisted_results() -> None:
    unfinished = pickle.loads(pickle.dumps(Unfinished("m", {"handled": 1}, {"R": "why"})))
    assert (str(unfinished), unfinished.result, unfinished.failed) == (
        "m",
        {"handled": 1},
        {"R": "why"},
    )
