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
