"""The People First campaign's negotiating parties (demo data), and their loader.

`name` is the staff console's label and the key the loader matches on; office,
organisation and salutation are in the party's correspondence language, and `addressee` is
the office as the letter's addressee block needs it (the dative in Ukrainian and Russian).
No person is named: officeholders change, and "Mr President" outlasts any one of them.
Postal addresses are the parties' well-known public institutional addresses; where we were
not sure of one, it is left empty for staff to fill in.

Russia's party is its President, who directs foreign policy (art. 86 of the Constitution),
not the Government; it receives only numbers (`counted`): a name handed to the Russian
state could be prosecuted for signing.

Türkiye, Qatar and the Holy See host talks or mediate returns of children and prisoners;
they write to each other in Turkish, Arabic and Italian (the Secretariat of State's working
language), and are sent names (`named`): none of them prosecutes people for such an appeal.
Their letters are addressed to the head of state (the Pope through the Secretariat of
State), with the salutation and closing of each language's formal correspondence.
"""

from __future__ import annotations

from sqlalchemy import select

from petition.extensions import db
from petition.models import Campaign, NamesPolicy, Target

TARGETS: tuple[dict[str, str], ...] = (
    {
        "name": "Office of the President of Ukraine",
        "lang": "uk",
        "office": "Президент України",
        "addressee": "Президентові України",
        "organisation": "Офіс Президента України",
        "salutation": "Шановний пане Президенте!",
        "postal_address": "вул. Банкова, 11\nм. Київ\n01220\nУкраїна",
    },
    {
        "name": "President of the Russian Federation",
        "lang": "ru",
        "office": "Президент Российской Федерации",
        "addressee": "Президенту Российской Федерации",
        "organisation": "Администрация Президента Российской Федерации",
        "salutation": "Уважаемый господин Президент!",
        "postal_address": "ул. Ильинка, д. 23\n103132, Москва\nРоссия",
        "names_policy": NamesPolicy.COUNTED,
    },
    {
        "name": "Government of the United States",
        "lang": "en",
        "office": "The President of the United States",
        "addressee": "The President of the United States",
        "organisation": "The White House",
        "salutation": "Dear Mr President,",
        "postal_address": (
            "1600 Pennsylvania Avenue NW\nWashington, DC 20500\nUnited States of America"
        ),
    },
    {
        "name": "European Union – High Representative for Foreign Affairs and Security Policy",
        "lang": "en",
        "office": "High Representative of the Union for Foreign Affairs and Security Policy",
        "addressee": "The High Representative of the Union for Foreign Affairs and Security Policy",
        "organisation": "European External Action Service",
        "salutation": "Dear High Representative,",
        "postal_address": "Rond-Point Robert Schuman 9A\n1046 Brussels\nBelgium",
    },
    {
        "name": "UN Secretary-General",
        "lang": "en",
        "office": "Secretary-General of the United Nations",
        "addressee": "The Secretary-General of the United Nations",
        "organisation": "United Nations",
        "salutation": "Dear Secretary-General,",
        "postal_address": (
            "United Nations Headquarters\n405 East 42nd Street\nNew York, NY 10017\n"
            "United States of America"
        ),
    },
    {
        "name": "International Committee of the Red Cross",
        "lang": "en",
        "office": "President of the International Committee of the Red Cross",
        "addressee": "The President of the International Committee of the Red Cross",
        "organisation": "International Committee of the Red Cross (ICRC)",
        "salutation": "Dear President,",
        "postal_address": "19 Avenue de la Paix\n1202 Geneva\nSwitzerland",
    },
    {
        "name": "President of the Republic of Türkiye",
        "lang": "tr",
        "office": "Türkiye Cumhuriyeti Cumhurbaşkanı",
        "addressee": "Türkiye Cumhuriyeti Cumhurbaşkanlığına",
        "salutation": "Sayın Cumhurbaşkanı,",
        "closing": "Derin saygılarımızla,",
        "postal_address": "Cumhurbaşkanlığı Külliyesi\n06560 Beştepe, Yenimahalle/Ankara\nTürkiye",
    },
    {
        "name": "Amir of the State of Qatar",
        "lang": "ar",
        "office": "أمير دولة قطر",
        "addressee": "حضرة صاحب السمو أمير دولة قطر",
        "organisation": "الديوان الأميري",
        "salutation": "صاحب السمو،",
        "closing": "وتفضلوا سموكم بقبول فائق الاحترام والتقدير،",
        "postal_address": "الدوحة\nدولة قطر",
    },
    {
        "name": "Holy See – His Holiness the Pope",
        "lang": "it",
        "office": "Sommo Pontefice",
        "addressee": "A Sua Santità il Sommo Pontefice",
        "organisation": "Segreteria di Stato",
        "salutation": "Santità,",
        "closing": "Con profondo rispetto,",
        "postal_address": "Palazzo Apostolico\n00120 Città del Vaticano",
    },
)


# What earlier versions of the demo wrote in a letter field (or nothing): replaced on load.
LETTER_FIELDS = ("addressee", "salutation")
OUTDATED = {"", "Dear Sir or Madam,", "Шановні пані та панове!"}

# Parties an earlier version of the demo got wrong, and the ones that replace them.
REPLACED = {"Government of the Russian Federation": "President of the Russian Federation"}


def load_targets(campaign: Campaign) -> list[Target]:
    """Create the parties that are missing (matched by name) and attach all to `campaign`.

    Parties that exist are left as they are: staff may have corrected their details. One
    the demo once got wrong becomes the right one (or, if that exists too, is detached).
    """
    _replace_wrong_parties(campaign)
    loaded = []
    for fields in TARGETS:
        target = _find(fields["name"])
        if target is None:
            target = Target(**fields)
            db.session.add(target)
        _update_letter_fields(target, fields)
        if target not in campaign.targets:
            campaign.targets.append(target)
        loaded.append(target)
    db.session.flush()
    return loaded


def _update_letter_fields(target: Target, fields: dict[str, str]) -> None:
    """Fill the letter fields an earlier demo left empty or generic; keep staff's own."""
    for key in LETTER_FIELDS:
        if key in fields and getattr(target, key).strip() in OUTDATED:
            setattr(target, key, fields[key])


def _find(name: str) -> Target | None:
    return db.session.scalar(select(Target).where(Target.name == name))


def _replace_wrong_parties(campaign: Campaign) -> None:
    for wrong_name, right_name in REPLACED.items():
        wrong = _find(wrong_name)
        if wrong is None:
            continue
        if _find(right_name) is None:
            right = next(fields for fields in TARGETS if fields["name"] == right_name)
            for key, value in right.items():
                setattr(wrong, key, value)
        elif wrong in campaign.targets:
            campaign.targets.remove(wrong)
    db.session.flush()
