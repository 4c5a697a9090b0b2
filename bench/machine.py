"""The machine the figures were measured on (the head of bench/RESULTS.md)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def postgres() -> str:
    try:
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip() or "not reachable"
    except (OSError, subprocess.SubprocessError):
        return "not installed"


def main() -> None:
    import prefect

    print("# Benchmark results (`make bench`)\n")
    print(f"- measured: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    system = f"{platform.system()} {platform.release()}"
    print(f"- machine: {os.cpu_count()} cores ({cpu_model()}), {memory_gib():.0f} GiB, {system}")
    print(
        f"- Python {sys.version.split()[0]}, Prefect {prefect.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres()}"
    )
    print("\n```")


if __name__ == "__main__":
    main()
