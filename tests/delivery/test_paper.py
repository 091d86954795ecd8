"""Signatures on paper in a delivery package: a line of their own in every file that counts
individuals, by country and in the totals, in the party's language; never a name; gone once
voided; and a package for a cut-off stays the same bytes when later batches come in."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from petition.campaigns import paper
from petition.campaigns.paper import BatchEntry, new_idempotency_key
from petition.campaigns.services import save_text
from petition.delivery.news import delivery_news
from petition.delivery.package import COUNTED_FILES, FILES, MANIFEST, build_package
from petition.delivery.wording import number
from petition.demo.people_first import TEXTS
from petition.extensions import db
from petition.models import NamesPolicy, PaperBatch, Role
from tests.delivery.outputs import (
    BEFORE,
    CUTOFF,
    add_organisation,
    add_signature,
    add_target,
    deliver_package,
    docx_text,
    package_text,
    pdf_text,
)
from tests.factories import make_campaign, make_staff

SCAN = "ab" * 32
# What each file of a package says about signatures on paper, in the party's language.
LINE = {
    "en": "Signed on paper: {n}",
    "uk": "Підписали на папері: {n}",
    "ru": "Подписали на бумаге: {n}",
    "tr": "Kâğıt üzerindeki imzalar: {n}",
    "fr": "Signatures sur papier\u00a0: {n}",
    "it": "Firme raccolte su carta: {n}",
    "ar": "التوقيعات الورقية: {n}",
}
HEADING = {
    "en": "Signed on paper",
    "uk": "Підписали на папері",
    "ru": "Подписали на бумаге",
    "tr": "Kâğıt üzerindeki imzalar",
    "fr": "Signatures sur papier",
    "it": "Firme raccolte su carta",
    "ar": "التوقيعات الورقية",
}


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"DELIVERY_DIR": str(tmp_path / "deliveries")}


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко", country="UA")
    add_signature(campaign, "Jane Doe", country="GB")
    add_organisation(campaign, "Open Doors Legal Aid")
    db.session.commit()
    return campaign


@pytest.fixture
def add_batch(clock):
    """Enter a batch through the service as if at `when` (the clock is moved there)."""
    admin = make_staff(Role.ADMIN)

    def enter(campaign, country: str, count: int, *, when=BEFORE) -> PaperBatch:
        clock.now = when
        entry = BatchEntry(
            country=country,
            count=count,
            source="street stall, Kharkiv, 14 November",
            gathered_on=(when - timedelta(days=1)).date(),
            scan_sha256=SCAN,
            idempotency_key=new_idempotency_key(),
        )
        batch = paper.record_batch(campaign, entry, actor=admin)
        db.session.commit()
        return batch

    return enter


def build(campaign, target, out: Path) -> Path:
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=out)
    db.session.commit()
    return Path(package.folder)


def test_every_individuals_file_of_a_named_package_says_how_many_signed_on_paper(
    campaign, add_batch, tmp_path
):
    add_batch(campaign, "UA", 240)
    add_batch(campaign, "PL", 35)  # a country with no one online
    folder = build(campaign, add_target(campaign, "en"), tmp_path)

    texts = package_text(folder)
    for name in ("cover_letter.pdf", "cover_letter.docx"):
        assert "Signed on paper: 275" in texts[name], name
        assert "Individuals: 2 (named in Annex 2: 2)" in texts[name], name
    annex = pdf_text(folder / "annex_individuals.pdf")
    assert "Signed on paper: 240" in annex
    assert "Signed on paper: 35" in annex
    assert "Poland" in annex
    summary = pdf_text(folder / "summary.pdf")
    assert "Signed on paper" in summary
    assert re.search(r"Poland\s+0\s+35\s+0", summary), summary
    assert re.search(r"Ukraine\s+1\s+240\s+1", summary), summary
    assert "275" in summary

    rows = list(csv.reader((folder / "annex_individuals.csv").read_text("utf-8-sig").splitlines()))
    assert rows == [
        ["Country code", "Country", "Name or initials"],
        ["PL", "Poland", "Signed on paper: 35"],
        ["UA", "Ukraine", "Олена Петренко"],
        ["UA", "Ukraine", "Signed on paper: 240"],
        ["GB", "United Kingdom", "Jane Doe"],
    ]
    with zipfile.ZipFile(folder / "annex_individuals.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r"<t[^>]*>([^<]*)</t>", sheet) == [cell for row in rows for cell in row]

    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["counts"]["paper"] == 275
    assert manifest["counts"]["individuals"] == 2  # confirmed online, as before
    assert manifest["counts"]["countries"] == 3
    assert "Kharkiv" not in json.dumps(texts, ensure_ascii=False)  # the source stays inside


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_the_paper_line_is_in_the_partys_language(campaign, add_batch, tmp_path, lang):
    add_batch(campaign, "UA", 240)
    folder = build(campaign, add_target(campaign, lang), tmp_path)
    line = LINE[lang].format(n=240)
    for name in ("cover_letter.pdf", "annex_individuals.pdf", "annex_individuals.csv"):
        assert line in package_text(folder)[name], name
    assert line in docx_text(folder / "cover_letter.docx")
    assert HEADING[lang] in pdf_text(folder / "summary.pdf")


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["tr", "fr", "it", "ar"])
def test_the_paper_line_is_in_the_letter_languages_too(campaign, add_batch, tmp_path, lang):
    save_text(campaign, lang, **TEXTS[lang])
    add_batch(campaign, "UA", 1240)
    folder = build(campaign, add_target(campaign, lang), tmp_path)
    n = number(1240, lang)
    line = LINE[lang].format(n=n)
    assert line in package_text(folder)["annex_individuals.csv"]
    assert line in docx_text(folder / "cover_letter.docx")
    for name in ("cover_letter.pdf", "annex_individuals.pdf"):
        text = pdf_text(folder / name)
        if lang == "ar":  # the extractor places the colon of a right-to-left line as it can
            [found] = [row for row in text.splitlines() if HEADING[lang] in row]
            assert n in found, name
        else:
            assert flat(line) in flat(text), name
    assert HEADING[lang] in pdf_text(folder / "summary.pdf")


def test_a_party_that_gets_no_names_gets_the_paper_count_by_country(campaign, add_batch, tmp_path):
    add_batch(campaign, "UA", 240)
    target = add_target(campaign, "ru")
    target.names_policy = NamesPolicy.COUNTED
    db.session.commit()
    folder = build(campaign, target, tmp_path)
    assert sorted(path.name for path in folder.iterdir()) == sorted([*COUNTED_FILES, MANIFEST])
    assert "Подписали на бумаге: 240" in pdf_text(folder / "cover_letter.pdf")
    assert "Подписали на бумаге: 240" in docx_text(folder / "cover_letter.docx")
    summary = pdf_text(folder / "summary.pdf")
    assert re.search(r"Украина\s+1\s+240", summary), summary
    assert "Олена" not in summary


def test_a_voided_batch_is_in_no_package_built_after(campaign, add_batch, tmp_path):
    batch = add_batch(campaign, "UA", 240)
    target = add_target(campaign, "en")
    first = build(campaign, target, tmp_path / "first")
    assert "Signed on paper: 240" in pdf_text(first / "cover_letter.pdf")

    voider = make_staff(Role.ADMIN, "voider@staff.example.org")
    paper.void_batch(batch, "Entered twice", actor=voider)
    db.session.commit()
    second = build(campaign, target, tmp_path / "second")
    for name in FILES:
        assert "paper" not in package_text(second)[name].casefold(), name
    manifest = json.loads((second / MANIFEST).read_text())
    assert manifest["counts"]["paper"] == 0


def test_batches_entered_after_the_cutoff_leave_the_package_byte_identical(
    campaign, add_batch, tmp_path
):
    add_batch(campaign, "UA", 240)
    target = add_target(campaign, "uk")
    first = build(campaign, target, tmp_path / "first")
    add_batch(campaign, "UA", 99, when=CUTOFF + timedelta(seconds=1))
    add_batch(campaign, "DE", 7, when=CUTOFF)  # the cut-off itself is after it
    second = build(campaign, target, tmp_path / "second")
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert "Підписали на папері: 240" in pdf_text(second / "cover_letter.pdf")


def test_the_public_delivery_log_says_how_many_signed_on_paper(client, campaign, add_batch):
    add_batch(campaign, "UA", 240)
    add_batch(campaign, "UA", 99, when=CUTOFF + timedelta(hours=1))  # after the cut-off
    deliver_package(campaign, add_target(campaign, "en"), make_staff(Role.EXPORTER))
    [entry] = client.get("/api/v1/campaigns/free-them/deliveries").json["parties"]
    [delivery] = entry["deliveries"]
    assert delivery["counts"] == {"individuals": 2, "organisations": 1, "paper": 240}
    page = client.get("/en/free-them/").get_data(as_text=True)
    log = page[page.index('id="deliveries-heading"') :]
    assert "<dt>Signed on paper</dt><dd>240</dd>" in log


def test_the_news_of_a_delivery_tells_signers_of_the_paper_signatures(campaign, add_batch):
    add_batch(campaign, "UA", 21)
    package = deliver_package(campaign, add_target(campaign, "en"), make_staff(Role.EXPORTER))
    assert "21 signatures gathered on paper were counted too." in delivery_news(package, "en").body
    assert "Також зараховано 21 підпис, зібраний на папері." in delivery_news(package, "uk").body
    assert "Также учтена 21 подпись, собранная на бумаге." in delivery_news(package, "ru").body
