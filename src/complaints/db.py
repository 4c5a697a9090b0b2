"""Engine and transactions; an aware-UTC datetime type that SQLite and PostgreSQL share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from complaints import private

# Bump with every migration; `ensure_schema` compares it with the database's.
SCHEMA_REVISION = "0011"


class WrongKey(RuntimeError):
    """The seal key given is not the one this database was sealed with."""


class RealClock(RuntimeError):
    """A database with a history on the real clock cannot be put on a simulated one."""


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes in UTC; refuses naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use complaints.clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot take the write lock
    # up front; writers then fail with "database is locked" instead of waiting.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Durable across a process crash; a power loss may drop the latest commits, which at
        # worst resends an e-mail with the same Message-ID. Prefect's server does the same.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # SQLite's lower() folds ASCII only: "élodie" would not find "Élodie". Python's folds
        # every letter, as PostgreSQL's does (no index is built on lower()).
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class Database:
    """One database: write transactions and read-only sessions (each knows its database as
    `session.info["database"]`); its seal key, kept outside it; its clock, real or simulated."""

    def __init__(self, url: str, seal_key: bytes | None = None) -> None:
        self.url = url
        self.seal_key = seal_key
        self._simulated: bool | None = None
        self.cache: dict[object, object] = {}  # immutable rows this process read (terms)
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1].split("?", 1)[0]
            if path and path != ":memory:" and not path.startswith("file:"):
                private.touch(Path(path))
            # hide_parameters: an error never carries a complaint's text into a log.
            self.engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
            )
        info = {"database": self}
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._readers = sessionmaker(
            self.engine.execution_options(readonly=True), expire_on_commit=False, info=info
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together at the end, or not at all."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading only."""
        with self._readers() as session:
            yield session

    def fact(self, key: str) -> str | None:
        """A fact about this installation (table `installation`), or None. Read on a reading
        connection: a writer's BEGIN IMMEDIATE would wait for this process's own transaction."""
        with self.engine.execution_options(readonly=True).connect() as connection:
            return connection.execute(
                text("SELECT value FROM installation WHERE key = :key"), {"key": key}
            ).scalar()

    def _set_fact(self, key: str, value: str) -> str:
        """Record a fact once; the value recorded (another process's, if it came first)."""
        from sqlalchemy.exc import IntegrityError

        try:
            with self.engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO installation (key, value) VALUES (:key, :value)"),
                    {"key": key, "value": value},
                )
        except IntegrityError:
            pass
        recorded = self.fact(key)
        assert recorded is not None
        return recorded

    def _clock_mark(self) -> str:
        """The simulated clock's mark: sealed, so a row written by hand does not count."""
        from complaints.chain import fact_seal

        return fact_seal(self.key(), "clock", "simulated")

    def key(self) -> bytes:
        """The seal key this database was opened with (WrongKey without one)."""
        if self.seal_key is None:
            raise WrongKey("no seal key given")
        return self.seal_key

    def is_simulated(self) -> bool:
        """Whether this database runs on a simulated clock (the demo's): its times are the
        simulation's, so reports and `verify` say they prove nothing about real time."""
        if self._simulated is None:
            recorded = self.fact("clock")
            self._simulated = recorded is not None and recorded == self._clock_mark()
        return self._simulated

    def simulate_clock(self) -> None:
        """Mark this database as running on a simulated clock, for good; refused once a
        history was recorded on the real one."""
        if self.is_simulated():
            return
        with self.engine.execution_options(readonly=True).connect() as connection:
            if connection.execute(text("SELECT 1 FROM events LIMIT 1")).first() is not None:
                raise RealClock("this database holds a history on the real clock")
        self._simulated = self._set_fact("clock", self._clock_mark()) == self._clock_mark()

    def claim_key(self) -> None:
        """Record the seal key's fingerprint on first use; refuse any other key after."""
        from complaints.chain import fingerprint

        mine = fingerprint(self.key())
        recorded = self.fact("seal_key") or self._set_fact("seal_key", mine)
        if recorded != mine:
            raise WrongKey(
                f"this database was sealed with another key (fingerprint {recorded}, given"
                f" {mine}): set COMPLAINTS_SEAL_KEY or restore var/seal_key"
            )

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not self.engine.dialect.has_table(connection, "alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def ensure_schema(self) -> None:
        """Bring the schema up to date when it is not (cheap when it is)."""
        if self.schema_revision() != SCHEMA_REVISION:
            from complaints.migrate import upgrade

            upgrade(self)

    def analyze(self) -> None:
        """Refresh the planner's statistics (SQLite keeps none until asked; PostgreSQL's
        autovacuum does it too). Without them the report's filtered queries pick poor indexes."""
        if self.is_sqlite:
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            # Open connections keep planning without the new statistics: start fresh ones.
            self.engine.dispose()
            return
        # VACUUM cannot run in a transaction; it also sets the visibility map for index-only counts.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) complaints")

    def dispose(self) -> None:
        self.engine.dispose()


def of(session: Session) -> Database:
    """The Database a session of ours belongs to."""
    database: Database = session.info["database"]
    return database
