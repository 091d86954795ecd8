"""`database.run_alone`, the PostgreSQL path of every signing POST: committed at once, the
pooled connection handed back as the session expects it, driver errors as SQLAlchemy's; and
`database.first_row`, which takes it only when the session holds no transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.pool import NullPool

from petition.database import first_row, run_alone
from petition.errors import database_unreachable
from petition.extensions import db
from petition.models import OutboxMessage, Signature
from tests.factories import make_campaign
from tests.pages import sign

pytestmark = pytest.mark.postgresql

SCRATCH = "CREATE TABLE IF NOT EXISTS run_alone_scratch (id serial PRIMARY KEY, note text NOT NULL)"
INSERT = text("INSERT INTO run_alone_scratch (note) VALUES (:note) RETURNING id")


@pytest.fixture
def scratch(app):
    db.session.execute(text(SCRATCH))
    db.session.execute(text("TRUNCATE run_alone_scratch"))
    db.session.commit()
    yield
    db.session.execute(text("DROP TABLE run_alone_scratch"))
    db.session.commit()


def notes() -> list[str]:
    """What another connection sees: only what was committed."""
    with db.engine.connect() as other:
        return list(other.scalars(text("SELECT note FROM run_alone_scratch ORDER BY id")))


def test_the_statement_is_committed_before_it_returns(scratch):
    row = run_alone(INSERT, {"note": "first"})
    assert row is not None
    assert isinstance(row[0], int)
    assert notes() == ["first"]


def test_first_row_outside_a_transaction_commits_at_once(scratch):
    assert first_row(INSERT, {"note": "alone"}) is not None
    assert not db.session().in_transaction()
    assert notes() == ["alone"]


def test_first_row_inside_the_sessions_transaction_goes_with_it(scratch):
    db.session.execute(text("SELECT 1"))  # the request has already read something
    assert first_row(INSERT, {"note": "with the session"}) is not None
    assert notes() == []
    db.session.rollback()
    assert notes() == []
    db.session.execute(text("SELECT 1"))
    first_row(INSERT, {"note": "committed with the session"})
    db.session.commit()
    assert notes() == ["committed with the session"]


def test_the_connection_goes_back_to_the_pool_out_of_autocommit(scratch):
    run_alone(text("SELECT 1"), {})
    pooled = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin())]
    try:
        assert pooled
        assert not any(connection.driver_connection.autocommit for connection in pooled)
    finally:
        for connection in pooled:
            connection.close()
    # So a session transaction that rolls back still leaves nothing behind.
    db.session.execute(text("INSERT INTO run_alone_scratch (note) VALUES ('rolled back')"))
    db.session.rollback()
    assert notes() == []


def test_a_lost_connection_is_an_error_the_503_page_knows_and_is_not_pooled_again(app):
    with pytest.raises(OperationalError) as raised:
        run_alone(text("SELECT pg_terminate_backend(pg_backend_pid())"), {})
    assert raised.value.connection_invalidated
    assert database_unreachable(raised.value)
    assert run_alone(text("SELECT 1"), {}) == (1,)


def test_an_error_message_never_carries_the_values(app):
    secret = "olena.canary@example.org"
    with pytest.raises(DataError) as raised:
        run_alone(text("SELECT 1 / 0 WHERE CAST(:secret AS text) IS NOT NULL"), {"secret": secret})
    assert "division by zero" in str(raised.value)
    assert secret not in str(raised.value)
    assert run_alone(text("SELECT 1"), {}) == (1,)


def test_no_row_is_none_even_right_after_a_statement_that_had_one(app):
    """The connection keeps its cursor from one statement to the next: nothing of the one
    before may come back."""
    assert run_alone(text("SELECT 1"), {}) == (1,)
    assert run_alone(text("SELECT 1 WHERE false"), {}) is None


def drop_pooled_connections() -> None:
    """What a restart of PostgreSQL does to the pool: every idle connection closed by the
    server (from a connection of another engine)."""
    held = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin())]
    pids = [connection.driver_connection.info.backend_pid for connection in held]
    for connection in held:
        connection.close()
    other = create_engine(db.engine.url, poolclass=NullPool)
    with other.begin() as connection:
        for pid in pids:
            connection.execute(select(func.pg_terminate_backend(pid)))
    other.dispose()


def test_signing_after_the_server_dropped_the_pooled_connections(app, client):
    """Pooled connections PostgreSQL has closed (a restart, an idle timeout) are replaced as
    they are taken: the signer gets the usual answer, and their signature and mail are kept."""
    campaign = make_campaign()
    db.session.commit()
    run_alone(text("SELECT 1"), {})
    drop_pooled_connections()
    response = sign(client, campaign.slug, email="after.restart@example.org")
    assert response.status_code == 302
    assert response.location.endswith("/check-email")
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
