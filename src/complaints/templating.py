"""The one Jinja2 environment of the pages and the letters (HTML autoescaped, an undefined
variable an error, blocks trimmed), and the pages' words in both languages, read once."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from complaints.words import counted


@lru_cache(maxsize=4)
def environment(templates: Path) -> Environment:
    made = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    made.globals["counted"] = counted  # words that agree with a number: "1 an", "3 ans"
    return made


@lru_cache(maxsize=4)
def strings(templates: Path) -> dict[str, dict[str, Any]]:
    """templates/web/strings.toml: the pages' words, by language."""
    data: dict[str, dict[str, Any]] = tomllib.loads(
        (templates / "web" / "strings.toml").read_text("utf-8")
    )
    return data
