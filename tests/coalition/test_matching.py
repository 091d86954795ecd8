"""Trust signals and duplicate detection: pure functions of what a representative typed."""

from __future__ import annotations

import pytest

from petition.coalition.matching import (
    domains_match,
    email_domain,
    is_free_mail,
    keys_similar,
    name_key,
    names_similar,
)


@pytest.mark.parametrize(
    ("address", "website", "expected"),
    [
        ("director@rights.org", "rights.org", True),
        ("director@mail.rights.org", "rights.org", True),
        ("director@rights.org", "blog.rights.org", True),
        ("Director@RIGHTS.org", "rights.org", True),
        ("director@rights.org", "www.rights.org", True),
        ("director@notrights.org", "rights.org", False),
        ("director@rights.org.evil.example", "rights.org", False),
        ("director@other.org", "rights.org", False),
        ("director@rights.org", None, False),
        ("someone@gmail.com", "gmail.com", False),  # a free-mail address never matches
        ("a@kharkiv.org.ua", "lviv.org.ua", False),  # a shared registry is not a domain
        ("a@org.ua", "rights.org.ua", False),
        ("a@правозахист.укр", "xn--80aafug7aeipk4a.xn--j1amh", True),  # the same IDN, two forms
    ],
)
def test_email_domain_matches_website(address, website, expected):
    assert domains_match(email_domain(address), website) is expected


@pytest.mark.parametrize(
    "address",
    [
        "someone@gmail.com",
        "someone@googlemail.com",
        "someone@yahoo.com",
        "someone@yahoo.co.uk",
        "someone@yahoo.fr",
        "someone@outlook.com",
        "someone@hotmail.com",
        "someone@hotmail.fr",
        "someone@proton.me",
        "someone@protonmail.com",
        "someone@icloud.com",
        "someone@gmx.de",
        "someone@gmx.net",
        "someone@mail.ru",
        "someone@yandex.ru",
        "someone@ya.ru",
        "someone@bk.ru",
        "someone@inbox.ru",
        "someone@list.ru",
        "someone@rambler.ru",
        "someone@ukr.net",
        "someone@i.ua",
        "someone@meta.ua",
        "Someone@GMAIL.COM",
    ],
)
def test_free_mail_addresses_are_recognised(address):
    assert is_free_mail(email_domain(address))


@pytest.mark.parametrize(
    "address",
    ["director@rights.org", "a@gmx.rights.org", "a@mail.rights.org", "a@yahoo-watch.org", ""],
)
def test_organisation_addresses_are_not_free_mail(address):
    assert not is_free_mail(email_domain(address))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Memorial", "Мемориал"),
        ("Меморіал", "Мемориал"),
        ("Center for Civil Liberties", "Center for Civil Liberties NGO"),
        ("Centre for Civil Liberties", "Center for Civil Liberties"),
        ("ГО «Центр громадянських свобод»", "Центр громадянських свобод"),
        ("Громадська організація «Зміна»", "ZMINA"),
        ("Общественная организация «Мемориал»", "Memorial"),
        ("Memorial", "Memorial Human Rights Defence Centre"),
        ("Truth Hounds, NGO", "Truth-Hounds"),
        ("Фонд «Право»", "Pravo Foundation"),
    ],
)
def test_similar_names_in_any_script(first, second):
    assert names_similar([first], [second])
    assert names_similar([second], [first])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Invented Rights Group", "Another Group"),
        ("Memorial", "Media Initiative"),
        ("Center for Civil Liberties", "Kharkiv Human Rights Group"),
        ("Hope", "Hope for Ukraine"),  # too short to count as contained
        ("NGO", "NGO"),  # nothing left once the generic word is gone
    ],
)
def test_different_names_are_not_similar(first, second):
    assert not names_similar([first], [second])


def test_name_key_drops_case_punctuation_script_and_generic_words():
    assert name_key("«Мемориал», НКО") == "memorial"
    assert name_key("Харківська правозахисна група") == "kharkivska pravozakhysna hrupa"
    assert name_key("Médecins Sans Frontières") == "medecins sans frontieres"
    assert keys_similar("memorial", "memorial")
    assert not keys_similar("", "memorial")


def test_an_original_script_name_counts_too():
    assert not names_similar(["Human Rights Centre Zoria"], ["Правозахисний центр Зоря"])
    assert names_similar(
        ["Human Rights Centre Zoria", "Правозахисний центр «Зоря»"], ["Правозахисний центр Зоря"]
    )
