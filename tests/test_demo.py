"""`flask demo load` builds the People First campaign, and running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from petition.delivery.package import build_package
from petition.demo import ensure_demo_custodian, load_demo
from petition.extensions import db
from petition.i18n import LETTER_LANGUAGES
from petition.models import Campaign, CampaignTextVersion, NamesPolicy, Organisation, Target
from petition.models.types import utcnow
from tests.delivery.outputs import add_signature, package_text


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_load_is_idempotent_and_complete(app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    assert count(Campaign) == 1
    assert count(CampaignTextVersion) == len(LETTER_LANGUAGES)  # the site's and the letters'
    assert count(Organisation) == 6

    for lang, words in {
        "en": "People First",
        "uk": "Люди передусім",
        "ru": "Люди прежде всего",
    }.items():
        html = client.get(f"/{lang}/people-first/").get_data(as_text=True)
        assert words in html
        assert "16" in html  # about 16,000 civilians held
        assert "28" in html  # launched on 28 January 2025
    api = client.get("/api/v1/campaigns/people-first").json
    assert api["counts"]["organisations"] == 6
    listed = client.get("/api/v1/campaigns/people-first/organisations").json["organisations"]
    assert len(listed) == 5
    assert [o["founding"] for o in listed][:2] == [True, True]


def russian_party() -> Target:
    return db.session.scalars(select(Target).where(Target.lang == "ru")).one()


def test_russias_party_is_its_president_and_receives_only_numbers(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    party = russian_party()
    assert party.name == "President of the Russian Federation"
    assert party.office == "Президент Российской Федерации"
    assert party.organisation == "Администрация Президента Российской Федерации"
    assert party.postal_address.splitlines() == ["ул. Ильинка, д. 23", "103132, Москва", "Россия"]
    assert party.names_policy is NamesPolicy.COUNTED
    others = db.session.scalars(select(Target).where(Target.lang != "ru"))
    assert {target.names_policy for target in others} == {NamesPolicy.NAMED}


def test_a_demo_loaded_before_gets_the_president_instead_of_the_government(
    app, tmp_path, monkeypatch
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    campaign = load_demo()
    russian_party().name = "Government of the Russian Federation"  # as the demo had it
    russian_party().names_policy = NamesPolicy.NAMED
    db.session.commit()

    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    db.session.expire_all()
    party = russian_party()
    assert party.name == "President of the Russian Federation"
    assert party.names_policy is NamesPolicy.COUNTED
    assert party in campaign.targets

    # Both there (staff made the President by hand): the Government is no longer addressed.
    wrong = Target(name="Government of the Russian Federation", lang="ru")
    campaign.targets.append(wrong)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    db.session.expire_all()
    assert [t.name for t in campaign.targets if t.lang == "ru"] == [party.name]


def test_the_demo_names_a_russian_resident_to_ukraine_and_not_to_russia(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    campaign = load_demo()
    ensure_demo_custodian(campaign, tmp_path)
    add_signature(campaign, "Pyotr Demo-Signer", country="RU")
    db.session.commit()
    ukraine = db.session.scalars(select(Target).where(Target.lang == "uk")).one()
    built = {
        party.lang: package_text(
            Path(build_package(campaign, party, cutoff=utcnow(), out_dir=tmp_path).folder)
        )
        for party in (ukraine, russian_party())
    }
    assert "Pyotr Demo-Signer" in built["uk"]["annex_individuals.csv"]
    assert "Open Doors Legal Aid" in built["uk"]["annex_organisations.pdf"]
    for text in built["ru"].values():
        for name in ("Pyotr", "Open Doors Legal Aid", "Тихая гавань", "Quiet Harbour"):
            assert name not in text


def test_the_prisoners_demand_asks_what_the_geneva_conventions_require(app):
    """Geneva Convention III (art. 118) requires release and repatriation without delay
    after active hostilities; it prescribes no exchange. The demand must not say it does."""
    campaign = load_demo()
    required = {
        "en": ("through exchanges or otherwise", "no later than the end of active hostilities"),
        "uk": ("шляхом обмінів чи в інший спосіб", "не пізніше завершення активних бойових дій"),
        "ru": ("путём обменов или иным образом", "не позднее окончания активных боевых действий"),
    }
    for lang, phrases in required.items():
        demand = campaign.text(lang).demands.split("\n")[2]
        assert demand.startswith("3. ")
        for phrase in phrases:
            assert phrase in demand, (lang, phrase)
        for wrong in ("all for all", "всіх на всіх", "всех на всех"):
            assert wrong not in demand


def test_every_demo_letter_is_addressed_and_signed_as_its_office_expects(app, tmp_path):
    campaign = load_demo()
    db.session.commit()
    expected = {
        "Office of the President of Ukraine": ("Президентові України", "Шановний пане Президенте!"),
        "President of the Russian Federation": (
            "Президенту Российской Федерации",
            "Уважаемый господин Президент!",
        ),
        "Government of the United States": (
            "The President of the United States",
            "Dear Mr President,",
        ),
        "President of the Republic of Türkiye": (
            "Türkiye Cumhuriyeti Cumhurbaşkanlığına",
            "Sayın Cumhurbaşkanı,",
        ),
        "Amir of the State of Qatar": ("حضرة صاحب السمو أمير دولة قطر", "صاحب السمو،"),
        "Holy See – His Holiness the Pope": ("A Sua Santità il Sommo Pontefice", "Santità,"),
    }
    closings = {
        "tr": "Derin saygılarımızla,",
        "ar": "وتفضلوا سموكم بقبول فائق الاحترام والتقدير،",
        "it": "Con profondo rispetto,",
    }
    titles = {"tr": "Önce İnsan", "ar": "الإنسان أولاً", "it": "Prima le persone"}
    for target in campaign.targets:
        package = build_package(campaign, target, cutoff=utcnow(), out_dir=tmp_path)
        text = " ".join(package_text(Path(package.folder))["cover_letter.pdf"].split())
        assert text.startswith("People First coalition Coalition secretariat"), target.name
        assert "Dear Sir or Madam" not in text, target.name
        assert "Hanna Verbeek" in text, target.name
        if target.name in expected:
            addressee, salutation = expected[target.name]
            assert addressee in text
            assert salutation in text
        if target.lang == "en":
            assert "Yours sincerely," in text, target.name
        if target.lang in closings:  # in the party's language, the campaign's text too
            assert closings[target.lang] in text, target.name
            assert titles[target.lang] in text, target.name


def test_reloading_the_demo_replaces_its_old_generic_salutation_but_keeps_staffs_own(app):
    campaign = load_demo()
    ukraine, united_states = (
        db.session.scalars(select(Target).where(Target.name == name)).one()
        for name in ("Office of the President of Ukraine", "Government of the United States")
    )
    ukraine.salutation, ukraine.addressee = "Шановні пані та панове!", ""  # an older demo's
    united_states.salutation = "Dear President Example,"  # staff's own
    db.session.commit()
    load_demo()
    assert (ukraine.salutation, ukraine.addressee) == (
        "Шановний пане Президенте!",
        "Президентові України",
    )
    assert united_states.salutation == "Dear President Example,"
    assert len(campaign.signatories) == 3
