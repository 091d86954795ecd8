"""The baseline: the least a Flask app can do for a form post or a page, on the same database.

Served by gunicorn with the project's gunicorn.conf.py:
`gunicorn -c gunicorn.conf.py 'bench.baseline:create_baseline()'`. The harness makes the
scratch table before the server starts.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import create_engine, text

from petition.config import database_url

SCRATCH_TABLE = "bench_scratch"
CREATE_SCRATCH = f"""
CREATE TABLE IF NOT EXISTS {SCRATCH_TABLE} (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
INSERT = text(f"INSERT INTO {SCRATCH_TABLE} (name, email) VALUES (:name, :email)")  # noqa: S608 - a constant


def create_baseline() -> Flask:
    app = Flask(__name__)
    # The same driver and pool defaults as the app's Flask-SQLAlchemy engine.
    engine = create_engine(database_url(os.environ["DATABASE_URL"], Path(app.instance_path)))

    @app.post("/insert")
    def insert() -> ResponseReturnValue:
        row = {"name": request.form["name"], "email": request.form["email"]}
        with engine.begin() as connection:
            connection.execute(INSERT, row)
        return redirect(url_for("hello"))

    @app.get("/hello")
    def hello() -> ResponseReturnValue:
        return render_template("hello.html", name="world")

    return app
