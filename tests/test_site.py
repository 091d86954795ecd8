"""Languages, probes and headers that every page shares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from petition import create_app
from petition.delivery.pdf import FontsMissing
from petition.i18n import CatalogueMissing, require_catalogues
from tests.factories import make_campaign

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("uk-UA,uk;q=0.9,en;q=0.5", "uk"), ("ru", "ru"), ("de-DE,en;q=0.5", "en"), ("", "en")],
)
def test_root_redirects_by_accept_language(client, accept, lang):
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{lang}/"


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_every_page_has_a_language_switcher_to_the_same_page(client, app, lang):
    make_campaign()
    for path in (f"/{lang}/", f"/{lang}/free-them/", f"/{lang}/free-them/sign"):
        html = client.get(path).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        for other in ("en", "uk", "ru"):
            assert f'href="{path.replace(f"/{lang}/", f"/{other}/", 1)}"' in html


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_pages_are_translated(client, app, lang):
    make_campaign()
    html = client.get(f"/{lang}/free-them/sign").get_data(as_text=True)
    with force_locale(lang):
        for english in ("Your name", "Email address", "How your signature appears", "Sign"):
            translated = gettext(english)
            assert translated != english
            assert translated in html


def test_probes(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_database_down_gives_a_translated_503_page():
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = app.test_client().get("/uk/free-them/")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert '<html lang="uk">' in body


def test_security_headers_on_every_response(client, app):
    make_campaign()
    for path in ("/en/", "/en/free-them/", "/en/free-them/sign", "/api/v1/campaigns/free-them"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_other_hosts(client, app):
    make_campaign()
    for path in ("/en/", "/uk/free-them/", "/ru/free-them/sign", "/en/free-them/check-email"):
        html = client.get(path).get_data(as_text=True)
        for attribute in ('src="http', "src='http", 'href="http', "//cdn", "@import"):
            assert attribute not in html, (path, attribute)


def test_production_entry_point_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_start_up_fails_loudly_without_the_pdf_fonts(tmp_path):
    with pytest.raises(FontsMissing, match=r"NotoSans-Regular\.ttf.*fonts-noto-core"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "PDF_FONT_DIR": str(tmp_path)})


def test_start_up_fails_loudly_without_a_compiled_catalogue(tmp_path):
    for lang in ("en", "uk"):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.mo").write_bytes(b"")
    with pytest.raises(CatalogueMissing, match=r"ru/LC_MESSAGES/messages\.mo"):
        require_catalogues(tmp_path)
