"""Issue 16's targets, and the figures `make bench` measured against them.

Each benchmark calls `keep(key, value)` for the figures a target judges (a JSON line in
$BENCH_FIGURES, which `make bench` empties first); `python bench/figures.py` then prints one
table: each target, the figure measured (the median when a run measured it more than once),
met or not, and "not measured" for a target no benchmark of this run measured."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

FILE = Path(os.environ.get("BENCH_FIGURES", Path(tempfile.gettempdir()) / "bench-figures.jsonl"))


@dataclass(frozen=True)
class Target:
    key: str
    what: str
    limit: float
    unit: str
    most: bool = True  # the figure must be at most the limit (else at least)

    def met(self, value: float) -> bool:
        return value <= self.limit if self.most else value >= self.limit

    def said(self) -> str:
        return f"{'≤' if self.most else '≥'} {self.limit:g} {self.unit}".strip()


TARGETS = [
    Target("lifecycles_per_s", "complete lifecycles through the flows, 0 stored", 100, "/s", False),
    Target("cpu_ours_ms", "our CPU per lifecycle (services alone)", 8, "ms"),
    *(
        Target(f"flow_vs_floor_{n}", f"lifecycle flow / Prefect's floor, {n} complaints", 1.5, "×")
        for n in (10, 200, 1000)
    ),
    Target("ack_p99_20_0", "acknowledgement p99 under serve, 20/s, 0 stored", 1, "s"),
    Target("ack_p99_20_1000000", "acknowledgement p99 under serve, 20/s, 1M stored", 1, "s"),
    Target("ack_p95_50_0", "acknowledgement p95 under serve, 50/s, 0 stored", 1, "s"),
    Target("ack_p95_50_1000000", "acknowledgement p95 under serve, 50/s, 1M stored", 1, "s"),
    Target("intake_p99_ms_50", "intake API p99, 50 concurrent clients", 50, "ms"),
    Target("distributed_cost", "distributed CPU per lifecycle / embedded", 1.3, "×"),
    *(
        Target(f"cli_{c}_s", f"CLI `complaints {c}`, whole process", 0.3, "s")
        for c in ("submit", "show", "list")
    ),
    Target("year_report_1m_s", "year report over 1M complaints, SQLite", 1, "s"),
]


def keep(key: str, value: float) -> None:
    """Keep one measured figure for the summary."""
    with FILE.open("a") as out:
        out.write(json.dumps({"key": key, "value": value}) + "\n")


def measured() -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    if FILE.exists():
        for line in FILE.read_text().splitlines():
            figure = json.loads(line)
            found.setdefault(figure["key"], []).append(figure["value"])
    return found


def main() -> None:
    found = measured()
    distributed, embedded = found.get("distributed_cpu_ms"), found.get("embedded_cpu_ms")
    if distributed and embedded:  # the same definition: every process's CPU per lifecycle
        found["distributed_cost"] = [statistics.median(distributed) / statistics.median(embedded)]
    print("Issue 16's targets (median of the runs measured)")
    print(f"  {'target':<56} {'wanted':>10} {'measured':>10}  verdict")
    for target in TARGETS:
        values = found.get(target.key)
        if not values:
            print(f"  {target.what:<56} {target.said():>10} {'—':>10}  not measured")
            continue
        value = statistics.median(values)
        verdict = "met" if target.met(value) else "not met"
        runs = f" ({len(values)} runs)" if len(values) > 1 else ""
        print(f"  {target.what:<56} {target.said():>10} {value:>10.3g}  {verdict}{runs}")


if __name__ == "__main__":
    main()
