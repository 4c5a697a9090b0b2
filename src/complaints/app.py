"""The parts one process works with: settings, database, renderer, sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from complaints.conduct import Conduct
from complaints.db import Database
from complaints.settings import Settings, get_settings

if TYPE_CHECKING:
    from complaints.mail.render import Renderer
    from complaints.mail.sender import EmailSender


@dataclass
class App:
    settings: Settings
    db: Database
    # Built on first use: commands that only record or read never load the mail stack.
    _sender: EmailSender | None = field(default=None, repr=False)

    @property
    def conduct(self) -> Conduct:
        return self.settings.conduct

    @property
    def renderer(self) -> Renderer:
        from complaints.mail.render import renderer_for

        return renderer_for(self.settings.home / "templates")

    @property
    def sender(self) -> EmailSender:
        if self._sender is None:
            from complaints.mail.sender import SmtpSender

            self._sender = SmtpSender(self.settings)
        return self._sender


def build_app(settings: Settings, sender: EmailSender | None = None) -> App:
    """Wire an App from `settings`, with the schema brought up to date and the seal key
    checked against the one the database was sealed with."""
    from complaints.keys import seal_key

    db = Database(settings.database, seal_key(settings))
    db.ensure_schema()
    db.claim_key()
    db.is_simulated()  # read once, before any transaction of this process
    return App(settings=settings, db=db, _sender=sender)


@lru_cache(maxsize=1)
def get_app() -> App:
    """The App of this process, from the environment (used by Prefect tasks)."""
    return build_app(get_settings())


def reset() -> None:
    """Forget the process's settings and App (tests change the environment)."""
    if get_app.cache_info().currsize:
        get_app().db.dispose()
    get_app.cache_clear()
    get_settings.cache_clear()
