"""Hostile and broken input: a clear 4xx, never a 500, and nothing stored."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import OutboxMessage, Signature
from tests.factories import make_campaign
from tests.pages import hidden_inputs, link_in, manage_link_in, path_of, send_mail, sign


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.fixture
def form_fields(client, campaign) -> dict[str, str]:
    page = client.get("/en/free-them/sign")
    return {
        **hidden_inputs(page.get_data(as_text=True)),
        "name": "Test Person",
        "email": "person@example.org",
        "country": "PL",
        "display": "initials",
    }


def nothing_stored() -> bool:
    signatures = db.session.scalar(select(func.count()).select_from(Signature))
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return signatures == 0 and messages == 0


def test_missing_csrf_token_is_refused(client, form_fields):
    del form_fields["csrf_token"]
    response = client.post("/en/free-them/sign", data=form_fields)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert nothing_stored()


@pytest.mark.parametrize("field", ["name", "email", "city"])
def test_nul_bytes_are_refused(client, form_fields, field):
    form_fields[field] = form_fields.get(field, "Lviv") + "\x00evil"
    response = client.post("/en/free-them/sign", data=form_fields)
    assert response.status_code == 422
    assert "characters we cannot accept" in response.get_data(as_text=True)
    assert nothing_stored()


@pytest.mark.parametrize("bad_name", [b"%FF%FE%C3%28", b"\xff\xfe\xc3("])
def test_invalid_utf8_is_refused(client, form_fields, bad_name):
    fields = "&".join(f"{key}={value}" for key, value in form_fields.items() if key != "name")
    response = client.post(
        "/en/free-them/sign",
        data=fields.encode() + b"&name=" + bad_name,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Something in that request was not right" in response.get_data(as_text=True)
    assert nothing_stored()


def test_five_megabyte_body_is_refused_with_413(client, form_fields):
    form_fields["name"] = "x" * (5 * 1024 * 1024)
    response = client.post("/en/free-them/sign", data=form_fields)
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)
    assert nothing_stored()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "N" * 121),
        ("city", "C" * 81),
        ("email", "a" * 250 + "@example.org"),
        ("email", "not an email"),
        ("email", "two@@example.org"),
        ("email", "<script>@example.org"),
        ("country", "XX"),
        ("country", "ZZ"),
        ("country", ""),
        ("display", "everyone"),
    ],
)
def test_bad_fields_are_explained_and_nothing_is_stored(client, form_fields, field, value):
    form_fields[field] = value
    response = client.post("/en/free-them/sign", data=form_fields)
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert nothing_stored()


def test_markup_in_a_name_is_shown_as_text(client, campaign, mailbox):
    sign(client, name="<img src=x onerror=alert(1)>")
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    html = client.get(path_of(url)).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in mailbox.html_of(mailbox.to("olena@example.org")[0])
    manage = manage_link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    shown = client.get(path_of(manage)).get_data(as_text=True)  # "Lists show you as: …"
    assert "<img src=x" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown


@pytest.mark.parametrize(
    "path",
    ["/de/free-them/", "/xx/free-them/sign", "/en/no-such-campaign/", "/en/no-such/sign"],
)
def test_unknown_language_or_campaign_is_404(client, campaign, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_wrong_method_is_405_not_500(client, campaign):
    assert client.put("/en/free-them/sign").status_code == 405
    assert client.delete("/en/confirm/abc").status_code == 405


def test_overlong_token_is_a_clear_404(client, campaign):
    assert client.get("/en/confirm/" + "x" * 5000).status_code == 404


@pytest.mark.parametrize(
    ("lang", "message"), [("uk", "Недійсний варіант."), ("ru", "Неверный вариант.")]
)
def test_a_choice_that_was_never_offered_is_explained_in_the_page_language(
    client, campaign, lang, message
):
    page = client.get(f"/{lang}/free-them/sign")
    fields = {
        **hidden_inputs(page.get_data(as_text=True)),
        "name": "Тест",
        "email": "person@example.org",
        "country": "UA",
        "display": "everything",
    }
    for _ in range(2):  # the catalogue is read once, and still right the second time
        response = client.post(f"/{lang}/free-them/sign", data=fields)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert nothing_stored()


def post_with_a_file(client, form_fields, field):
    """A multipart POST with a file where the text of `field` belongs."""
    form_fields.pop(field, None)
    data = {**form_fields, field: (io.BytesIO(b"Lviv"), "field.txt")}
    return client.post("/en/free-them/sign", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    "field", ["name", "email", "country", "display", "opened", "statement_sha256"]
)
def test_a_file_where_text_belongs_is_refused(client, form_fields, field):
    """The field counts as not filled in."""
    assert post_with_a_file(client, form_fields, field).status_code == 422
    assert nothing_stored()


def test_a_file_where_the_optional_city_belongs_is_left_out(client, form_fields):
    assert post_with_a_file(client, form_fields, "city").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1


def test_a_json_body_is_not_read_as_the_form(client, form_fields):
    """Numbers and lists in a JSON body never reach the validators as if they were text."""
    body = {**form_fields, "name": 5, "email": ["person@example.org"], "city": {"a": 1}}
    headers = {"X-CSRFToken": form_fields["csrf_token"]}
    response = client.post("/en/free-them/sign", json=body, headers=headers)
    assert response.status_code in {400, 422}
    assert nothing_stored()
