"""Real parts: SQLite files, the machine's PostgreSQL when configured, an SMTP server on
127.0.0.1, and one Prefect test harness per session (only for the tests that run flows)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="complaints-prefect-")
os.environ.update(
    PREFECT_HOME=_PREFECT_HOME,
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    DO_NOT_TRACK="1",
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
    PREFECT_LOGGING_LEVEL="WARNING",
)
os.environ.pop("PREFECT_API_URL", None)
for key in [k for k in os.environ if k.startswith("COMPLAINTS_")]:
    if key != "COMPLAINTS_TEST_POSTGRES_URL":
        del os.environ[key]

from sqlalchemy import text  # noqa: E402

from complaints import app as wiring  # noqa: E402
from complaints.app import App, build_app  # noqa: E402
from complaints.intake import Intake  # noqa: E402
from complaints.mail.sender import MemorySender  # noqa: E402
from complaints.mail.sink import MailSink  # noqa: E402
from complaints.settings import Settings  # noqa: E402

POSTGRES_URL = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="COMPLAINTS_TEST_POSTGRES_URL not set (.ci/run sets it)"
        ),
    ),
]


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgres":
        assert POSTGRES_URL
        _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'complaints.db'}"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(tmp_path / "mail") as sink:
        yield sink


@pytest.fixture
def env(database_url: str, smtp: MailSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The process environment a real installation would have; get_app() reads it."""
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", database_url)
    monkeypatch.setenv("COMPLAINTS_SMTP_PORT", str(smtp.port))
    wiring.reset()
    yield wiring.get_app().settings
    wiring.reset()


# The staff the tests act as: every step names a known, active member.
STAFF = {
    "Camille": "agent",
    "Alice": "agent",
    "Bob": "agent",
    "A": "agent",
    "Luc": "manager",
    "Lea": "manager",
    "Dana": "manager",
}


def simulated(app: App) -> App:
    """The tests' clock is simulated (they date every step, years apart), as the demo's is;
    `real_app` is the one on the real clock. The staff of STAFF are members."""
    from complaints.services import staff

    app.db.simulate_clock()
    for name, role in STAFF.items():
        staff.add(app=app, name=name, role=role, days=36500)
    return app


@pytest.fixture
def app(env: Settings) -> App:
    """The App the flows use: real database, real SMTP sender, a simulated clock."""
    return simulated(wiring.get_app())


@pytest.fixture
def fake_app(tmp_path: Path) -> Iterator[App]:
    """For logic tests: a real SQLite file, an in-memory sender, a simulated clock."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unit.db'}")
    built = simulated(build_app(settings, MemorySender()))
    yield built
    built.db.dispose()


@pytest.fixture
def real_app(database_url: str) -> Iterator[App]:
    """On the real clock: steps are dated now, and may not be dated in the future nor before
    the complaint's last event. An in-memory sender; the staff of STAFF."""
    from complaints.services import staff

    built = build_app(Settings(database_url=database_url), MemorySender())
    for name, role in STAFF.items():
        staff.add(app=built, name=name, role=role)
    yield built
    built.db.dispose()


def intake(**overrides: Any) -> Intake:
    """A valid complaint, with any field overridden."""
    fields: dict[str, Any] = {
        "name": "Marie Lefèvre",
        "email": "marie.lefevre@exemple.fr",
        "phone": "06 12 34 56 78",
        "subject": "Colis jamais livré",
        "description": "Le transporteur dit que le colis est livré, je n'ai rien reçu.",
        "desired_outcome": "Recevoir le colis.",
        "channel": "web",
        "product": "Box Fibre",
        "region": "Bretagne",
        "customer_type": "individual",
        "language": "fr",
        "consent_contact": True,
        "consent_share": True,
    }
    fields.update(overrides)
    return Intake.model_validate(fields)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for the whole session (~15 s to start)."""
    import prefect.settings
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # The server's background writers that no test here reads (schedules, late runs, workers'
    # heartbeats, vacuums, automations, the events' archive) are off: each is one more writer
    # on the harness's SQLite file, and a writer that meets another's lock waits out SQLite's
    # busy timeout (60 s), which stalled a flow test now and then. The task-run recorder
    # stays: the tests read task runs from the API.
    quiet = {
        getattr(prefect.settings, f"PREFECT_SERVER_SERVICES_{name}_ENABLED"): False
        for name in (
            "SCHEDULER",
            "LATE_RUNS",
            "FOREMAN",
            "CANCELLATION_CLEANUP",
            "PAUSE_EXPIRATIONS",
            "REPOSSESSOR",
            "CLEANUP_RECONCILER",
            "DB_VACUUM",
            "TRIGGERS",
            "EVENT_PERSISTER",
        )
    }
    with temporary_settings(updates=quiet), prefect_test_harness(server_startup_timeout=120):
        yield
