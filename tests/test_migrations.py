"""Migrations build the schema from empty on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from network.database import include_object
from network.extensions import db
from network.taxonomy.models import Specialty


def test_upgrade_from_empty_matches_the_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "include_object": include_object})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        versions = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
        assert "0001_initial" not in versions  # a later revision is current


def test_downgrade_to_empty_and_upgrade_again(app):
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "email_outbox", "audit_log", "program", "cohort", "cohort_membership", "specialty"} <= tables


def test_the_initial_migration_seeds_training_backgrounds(app):
    with app.app_context():
        names = db.session.scalars(select(Specialty.name).order_by(Specialty.position)).all()
    for expected in ("Pain medicine", "Anesthesiology", "Physical medicine and rehabilitation (PM&R)", "Neurology",
                     "Psychiatry", "Family medicine", "Emergency medicine"):
        assert expected in names


def test_flask_db_check_finds_nothing_to_migrate(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
