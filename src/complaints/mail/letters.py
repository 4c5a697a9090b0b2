"""Render a letter to a customer without e-mail as an A4 PDF (WeasyPrint): the message the
e-mail templates wrote, with the addresses in their places, the date in the customer's
language, the reference and the tracking link. Knows no database: takes a `Letter`."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from markupsafe import Markup

from complaints.dates import long_date
from complaints.templating import environment
from complaints.words import typeset

_BODY = re.compile(r"<body[^>]*>(?P<inside>.*)</body>", re.DOTALL | re.IGNORECASE)
# The e-mail layout's first line (organisation — reference): the letter's head says both.
_LAYOUT_HEAD = re.compile(r"^\s*<p style=\"color:#555\">.*?</p>", re.DOTALL)


@dataclass(frozen=True)
class Letter:
    """One letter as it is printed."""

    lang: str  # fr or en: every word of the letter is in it
    organisation: str
    organisation_address: str  # lines apart
    name: str
    postal_address: str  # lines apart
    dated: date
    subject: str
    reference: str
    tracking_url: str
    html_body: str  # the e-mail's HTML, rendered and escaped from the same templates


def body_of(html: str) -> str:
    """What the e-mail says: its body's inside, without the layout's first line."""
    found = _BODY.search(html)
    inside = found["inside"] if found else html
    return _LAYOUT_HEAD.sub("", inside, count=1).strip()


def letter_html(templates: Path, letter: Letter) -> str:
    """The letter as one HTML page for print (templates/letter/letter.html.j2)."""
    context: dict[str, Any] = {
        "lang": letter.lang,
        "organisation": letter.organisation,
        "organisation_lines": _lines(letter.organisation_address),
        "name": letter.name,
        "address_lines": _lines(letter.postal_address),
        "dated": long_date(letter.dated, letter.lang, "UTC"),
        "subject": letter.subject,
        "reference": letter.reference,
        "tracking_url": letter.tracking_url,
        # Rendered by our own autoescaped templates: the customer's words in it are escaped.
        "body": Markup(body_of(letter.html_body)),  # noqa: S704
    }
    page = environment(templates).get_template("letter/letter.html.j2")
    return typeset(page.render(context), letter.lang)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """A letter loads nothing from outside: its fonts are the machine's, it has no images."""
    raise ValueError(f"a letter loads no resource ({url[:40]})")


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    """WeasyPrint's HTML, imported on first use: it loads Pango (about half a second)."""
    with warnings.catch_warnings():
        # Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools (letters of
        # about 16 KB) and warns that a future version will need the library.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        from weasyprint import HTML
    return HTML


def letter_pdf(templates: Path, letter: Letter) -> bytes:
    """The letter as an A4 PDF."""
    html = _weasyprint()(string=letter_html(templates, letter), url_fetcher=_no_fetch)
    pdf: bytes = html.write_pdf()
    return pdf
