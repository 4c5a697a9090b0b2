"""The Alembic history builds exactly the models' schema, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from complaints.db import SCHEMA_REVISION, Database
from complaints.migrate import alembic_config
from complaints.models import Base
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_code_knows_the_head_revision(database_url: str) -> None:
    database = Database(database_url)
    head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
    assert head == SCHEMA_REVISION


def test_upgraded_schema_matches_the_models(database_url: str) -> None:
    database = Database(database_url)
    database.ensure_schema()
    assert database.schema_revision() == SCHEMA_REVISION
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    database.ensure_schema()  # a second time: nothing to do
    database.dispose()


def test_upgrade_seals_the_histories_already_recorded(database_url: str) -> None:
    from sqlalchemy import text

    from complaints.app import App
    from complaints.migrate import upgrade
    from complaints.services.integrity import verify
    from complaints.settings import Settings

    database = Database(database_url, seal_key=b"k" * 32)
    upgrade(database, "0003")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO complainants (id, name, email, language) VALUES (1, 'A', 'a@exemple.fr', 'fr')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO complaints (id, reference, tracking_token, complainant_id, state, channel, language,"
                " subject, description, desired_outcome, product, region, customer_type, severity, priority,"
                " received_at, acknowledge_by, answer_by, escalation_level, reviews_done, needs_attention)"
                " VALUES (1, 'REC-2026-000001', 't', 1, 'received', 'web', 'fr', 's', 'd', '', 'p', 'r', 'i',"
                " 'normal', 3, '2026-03-02 09:00:00', '2026-03-02 10:00:00', '2026-03-17 09:00:00', 0, 0, false)"
            )
        )
        for n, action in enumerate(("received", "acknowledge")):
            connection.execute(
                text(
                    "INSERT INTO events (complaint_id, at, actor_kind, actor, action, reason, data, customer_visible)"
                    f" VALUES (1, '2026-03-02 09:0{n}:00', 'system', 'complaints', '{action}', '', '{{}}', false)"
                )
            )
    database.ensure_schema()
    verdict = verify(app=App(settings=Settings(database_url=database_url), db=database))
    assert (verdict.events, verdict.breaks) == (2, [])
    with database.engine.connect() as connection:
        row = connection.execute(
            text("SELECT terms_id, refer_by, chain_length FROM complaints")
        ).one()
    assert row.terms_id is not None and row.refer_by is not None and row.chain_length == 2
    database.dispose()


def test_staff_sessions_can_be_dropped_and_made_again(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    database = Database(database_url, seal_key=b"k" * 32)
    database.ensure_schema()
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    assert "staff_sessions" not in inspect(database.engine).get_table_names()
    database.ensure_schema()
    assert "staff_sessions" in inspect(database.engine).get_table_names()
    database.dispose()
