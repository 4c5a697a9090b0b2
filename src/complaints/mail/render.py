"""Render an e-mail from templates/email/<lang>/<kind>.{txt,html}.j2."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from complaints.words import typeset


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Renderer:
    """Both forms of each e-mail; autoescaped HTML; an undefined variable is an error."""

    def __init__(self, templates: Path) -> None:
        self._env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, kind: str, lang: str, context: dict[str, Any]) -> Rendered:
        variables = {**context, "lang": lang}
        text_template = self._env.get_template(f"email/{lang}/{kind}.txt.j2")
        ctx = text_template.new_context(variables)
        subject = "".join(text_template.blocks["subject"](ctx)).strip()
        text = "".join(text_template.blocks["body"](ctx)).strip() + "\n"
        html = self._env.get_template(f"email/{lang}/{kind}.html.j2").render(variables)
        return Rendered(
            subject=typeset(" ".join(subject.split()), lang),
            text=typeset(text, lang),
            html=typeset(html, lang),
        )


@lru_cache(maxsize=4)
def renderer_for(templates: Path) -> Renderer:
    return Renderer(templates)
