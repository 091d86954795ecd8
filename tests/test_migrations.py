"""Migrations build exactly the models' schema, and every revision goes down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from petition.extensions import db
from tests.conftest import fresh_database, make_app


def schema_differences() -> list:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_upgrade_head_matches_models_and_every_revision_downgrades(tmp_path, smtp_server):
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade()
            assert schema_differences() == []

            script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
            revisions = list(script.walk_revisions())
            for _ in revisions:
                downgrade(revision="-1")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            upgrade()
            assert schema_differences() == []
            db.engine.dispose()
