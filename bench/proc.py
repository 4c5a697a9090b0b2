"""CPU-seconds of a process, read from /proc (Linux): the benchmarks' one definition."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")  # what /proc counts CPU time in (1/100 s)


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """Its user and system time; with `children`, also that of the children it has waited for
    (a worker's flow runs, PostgreSQL's backends that ended)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11 : 15 if children else 13]) / TICKS
