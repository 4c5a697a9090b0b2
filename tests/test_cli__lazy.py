"""A command loads only its own module (issue 16): the map from first word to module is
complete, and `list` starts without the reports, the trace, Prefect, FastAPI or Jinja2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from complaints import cli
from complaints.staff_steps import STEPS

HEAVY = ("complaints.cli.reports", "complaints.cli.trace", "prefect", "fastapi", "jinja2")


def _modules(group: typer.Typer) -> set[str]:
    modules = {c.callback.__module__ for c in group.registered_commands if c.callback}
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        modules |= _modules(sub.typer_instance)
    return modules


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    app = cli.app  # every module registered
    words: dict[str, set[str]] = {}
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        words.setdefault(name, set()).add(command.callback.__module__)  # type: ignore[union-attr]
    for group in app.registered_groups:
        assert group.name is not None and group.typer_instance is not None
        words.setdefault(group.name, set()).update(_modules(group.typer_instance))
    steps = {spec.command for spec in STEPS.values()}
    unmapped = {word for word in words if word not in cli.MODULES and word not in steps}
    assert not unmapped, f"commands missing from complaints.cli.MODULES: {sorted(unmapped)}"
    for word, module in cli.MODULES.items():
        assert words[word] == {f"complaints.cli.{module}"}, word


def test_a_word_not_mapped_still_finds_its_command_and_a_bad_one_fails_in_one_line(
    tmp_path: Path,
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    environment["COMPLAINTS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'lazy.db'}"
    probe = (
        "import sys\n"
        "from complaints.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        f"    print('LOADED', [m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)\n"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
        )

    listed = run("list")
    assert listed.returncode == 0, listed.stderr
    assert "LOADED []" in listed.stderr  # nothing heavy for a list
    step = run("assign", "--help")  # a staff step: built from the registry, all modules loaded
    assert step.returncode == 0 and "--to" in step.stdout, step.stderr
    unknown = run("nonsense")
    assert unknown.returncode != 0 and "nonsense" in unknown.stderr
