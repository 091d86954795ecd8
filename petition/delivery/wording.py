"""The words of a package, in the language of the party it is addressed to.

A package is a document for its reader, not a page of the site: its language is the
target's correspondence language, whatever the staff member's interface language is.
These texts live here rather than in the gettext catalogues because each one is written
as a whole document per language (and the catalogues follow the interface); so do the
names of the kinds of organisation, which the site's pages take from `petition.labels`.
A package can be written in each of `petition.i18n.LETTER_LANGUAGES` (a test keeps them so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from petition.models import OrganisationKind

PLACEHOLDERS = ("target", "individuals", "organisations", "date", "campaign")


@dataclass(frozen=True)
class Plural:
    """A phrase with `{n}` in each of the language's CLDR plural forms."""

    one: str
    few: str
    many: str
    other: str

    def format(self, lang: str, n: int) -> str:
        form = Locale.parse(locale(lang)).plural_form(n)
        phrase = getattr(self, form, self.other)
        return phrase.format(n=number(n, lang))


@dataclass(frozen=True)
class Wording:
    default_letter: str
    counted_letter: str  # the body for a party that receives only numbers (no annex)
    salutation: str  # to a reader the target names no office or person for
    salutation_office: str  # to a named office or person, when staff set no salutation
    statement: str
    demands: str
    totals: str
    organisations_total: str
    individuals_total: str
    organisations_counted: str
    individuals_counted: str
    closing: str  # after the anonymous salutation
    closing_named: str  # after any other salutation
    signed_for: str
    enclosures: str
    annex_organisations: str
    annex_individuals: str
    summary: str
    cutoff: str
    page: str  # "page {n} of {total}"
    reference: str  # the package's reference number, `{ref}`, on every page
    further_organisations: Plural
    country_tally: str
    country_unnamed: str
    no_names: str
    no_organisations: str
    column_code: str
    column_country: str
    column_name: str
    sheet: str
    individuals: str
    named: str
    initials_only: str
    anonymous: str
    organisations: str
    organisations_named: str
    organisations_unnamed: str
    named_organisations: str
    by_country: str
    by_type: str
    country: str
    organisation: str
    signatures: str
    type: str
    total: str
    over_time: str
    no_signatures: str
    paper: str  # signatures gathered on paper: a row and column of their own, never a name
    paper_total: str  # "signed on paper: {total}"
    kinds: dict[OrganisationKind, str]  # the type of each named organisation


EN = Wording(
    default_letter=(
        "We write to you on behalf of the organisations and people who have joined the "
        "appeal “{campaign}”.\n\n"
        "Their appeal and demands follow, with the number of signatories as of {date}; the "
        "signatories are listed in the enclosed annexes, each as they chose to be named.\n\n"
        "We ask you to make these demands part of any negotiations to end the war, and to "
        "put people first."
    ),
    counted_letter=(
        "We write to you on behalf of the organisations and people who have joined the "
        "appeal “{campaign}”.\n\n"
        "Their appeal and demands follow, with the number of signatories as of {date}; the "
        "enclosed summary gives their number by country.\n\n"
        "We ask you to make these demands part of any negotiations to end the war, and to "
        "put people first."
    ),
    salutation="Dear Sir or Madam,",
    salutation_office="Your Excellency,",
    statement="Our appeal",
    demands="Our demands",
    totals="Signatories as of {date}",
    organisations_total="Organisations: {total} (named in Annex 1: {named})",
    individuals_total="Individuals: {total} (named in Annex 2: {named})",
    organisations_counted="Organisations: {total}",
    individuals_counted="Individuals: {total}",
    closing="Yours faithfully,",
    closing_named="Yours sincerely,",
    signed_for="On behalf of the coalition “{campaign}”",
    enclosures="Enclosures",
    annex_organisations="Annex 1. Organisations",
    annex_individuals="Annex 2. Individuals",
    summary="Summary",
    cutoff="Everything confirmed before {when}",
    page="Page {n} of {total}",
    reference="Ref. {ref}",
    further_organisations=Plural(
        one="{n} further organisation joined but is not named.",
        few="{n} further organisations joined but are not named.",
        many="{n} further organisations joined but are not named.",
        other="{n} further organisations joined but are not named.",
    ),
    country_tally="Signatures: {total}",
    country_unnamed="Signatures: {total}, of which not named at their request: {unnamed}",
    no_names="No confirmed signatures before the cut-off.",
    no_organisations="No organisations are named.",
    column_code="Country code",
    column_country="Country",
    column_name="Name or initials",
    sheet="Individuals",
    individuals="Individuals",
    named="named",
    initials_only="initials only",
    anonymous="not named, at their request",
    organisations="Organisations",
    organisations_named="named",
    organisations_unnamed="not named, at their request",
    named_organisations="Named organisations",
    by_country="By country",
    by_type="Named organisations by type",
    country="Country",
    organisation="Organisation",
    signatures="Signatures",
    type="Type",
    total="Total",
    over_time="Confirmed signatures over time",
    no_signatures="No confirmed signatures before the cut-off.",
    paper="Signed on paper",
    paper_total="Signed on paper: {total}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "Human-rights organisation",
        OrganisationKind.HUMANITARIAN: "Humanitarian organisation",
        OrganisationKind.UNION: "Trade union",
        OrganisationKind.FAITH: "Faith-based organisation",
        OrganisationKind.ACADEMIC: "Academic institution",
        OrganisationKind.MEDIA: "Media organisation",
        OrganisationKind.PROFESSIONAL: "Professional body",
        OrganisationKind.OTHER: "Other",
    },
)

UK = Wording(
    default_letter=(
        "Звертаємося до вас від імені організацій і людей, які приєдналися до звернення "
        "«{campaign}».\n\n"
        "Станом на {date} звернення підписали: організації — {organisations}, окремі "
        "особи — {individuals}. Нижче наведено текст звернення та наші вимоги; підписантів "
        "перелічено в доданих додатках — так, як кожен із них погодився бути названим.\n\n"
        "Просимо вас включити ці вимоги до будь-яких переговорів про завершення війни та "
        "поставити людей на перше місце."
    ),
    counted_letter=(
        "Звертаємося до вас від імені організацій і людей, які приєдналися до звернення "
        "«{campaign}».\n\n"
        "Нижче наведено текст звернення, наші вимоги та кількість підписантів станом на "
        "{date}; у доданому зведенні їхню кількість подано за країнами.\n\n"
        "Просимо вас включити ці вимоги до будь-яких переговорів про завершення війни та "
        "поставити людей на перше місце."
    ),
    salutation="Шановні пані та панове!",
    salutation_office="Ваша Високоповажносте!",
    statement="Наше звернення",
    demands="Наші вимоги",
    totals="Підписанти станом на {date}",
    organisations_total="Організації: {total} (названі в додатку 1: {named})",
    individuals_total="Окремі особи: {total} (названі в додатку 2: {named})",
    organisations_counted="Організації: {total}",
    individuals_counted="Окремі особи: {total}",
    closing="З повагою,",
    closing_named="З повагою,",
    signed_for="Від імені коаліції «{campaign}»",
    enclosures="Додатки",
    annex_organisations="Додаток 1. Організації",
    annex_individuals="Додаток 2. Окремі особи",
    summary="Зведення",
    cutoff="Усе, що підтверджено до {when}",
    page="Сторінка {n} з {total}",
    reference="Вих. № {ref}",
    further_organisations=Plural(
        one="Ще {n} організація приєдналася, але на її прохання не названа.",
        few="Ще {n} організації приєдналися, але на їхнє прохання не названі.",
        many="Ще {n} організацій приєдналися, але на їхнє прохання не названі.",
        other="Ще {n} організації приєдналися, але на їхнє прохання не названі.",
    ),
    country_tally="Підписів: {total}",
    country_unnamed="Підписів: {total}, з них не названо на їхнє прохання: {unnamed}",
    no_names="До часу відсічки немає підтверджених підписів.",
    no_organisations="Жодної організації не названо.",
    column_code="Код країни",
    column_country="Країна",
    column_name="Ім’я або ініціали",
    sheet="Окремі особи",
    individuals="Окремі особи",
    named="названі на ім’я",
    initials_only="лише ініціали",
    anonymous="не названі на їхнє прохання",
    organisations="Організації",
    organisations_named="названі",
    organisations_unnamed="не названі на їхнє прохання",
    named_organisations="Названі організації",
    by_country="За країнами",
    by_type="Названі організації за типом",
    country="Країна",
    organisation="Організація",
    signatures="Підписи",
    type="Тип",
    total="Усього",
    over_time="Підтверджені підписи в часі",
    no_signatures="До часу відсічки немає підтверджених підписів.",
    paper="Підписали на папері",
    paper_total="Підписали на папері: {total}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "Правозахисна організація",
        OrganisationKind.HUMANITARIAN: "Гуманітарна організація",
        OrganisationKind.UNION: "Профспілка",
        OrganisationKind.FAITH: "Релігійна організація",
        OrganisationKind.ACADEMIC: "Науковий або освітній заклад",
        OrganisationKind.MEDIA: "Медіаорганізація",
        OrganisationKind.PROFESSIONAL: "Професійне об’єднання",
        OrganisationKind.OTHER: "Інше",
    },
)

RU = Wording(
    default_letter=(
        "Обращаемся к вам от имени организаций и людей, присоединившихся к обращению "
        "«{campaign}».\n\n"
        "По состоянию на {date} обращение подписали: организации — {organisations}, частные "
        "лица — {individuals}. Ниже приводятся текст обращения и наши требования; "
        "подписавшие перечислены в прилагаемых приложениях — так, как каждый из них "
        "согласился быть названным.\n\n"
        "Просим вас включить эти требования в любые переговоры о прекращении войны и "
        "поставить людей на первое место."
    ),
    counted_letter=(
        "Обращаемся к вам от имени организаций и людей, присоединившихся к обращению "
        "«{campaign}».\n\n"
        "Ниже приводятся текст обращения, наши требования и число подписавших по состоянию "
        "на {date}; в прилагаемой сводке их число указано по странам.\n\n"
        "Просим вас включить эти требования в любые переговоры о прекращении войны и "
        "поставить людей на первое место."
    ),
    salutation="Уважаемые дамы и господа!",
    salutation_office="Ваше Превосходительство!",
    statement="Наше обращение",
    demands="Наши требования",
    totals="Подписавшие по состоянию на {date}",
    organisations_total="Организации: {total} (названы в приложении 1: {named})",
    individuals_total="Частные лица: {total} (названы в приложении 2: {named})",
    organisations_counted="Организации: {total}",
    individuals_counted="Частные лица: {total}",
    closing="С уважением,",
    closing_named="С уважением,",
    signed_for="От имени коалиции «{campaign}»",
    enclosures="Приложения",
    annex_organisations="Приложение 1. Организации",
    annex_individuals="Приложение 2. Частные лица",
    summary="Сводка",
    cutoff="Всё, что подтверждено до {when}",
    page="Страница {n} из {total}",
    reference="Исх. № {ref}",
    further_organisations=Plural(
        one="Ещё {n} организация присоединилась, но по её просьбе не названа.",
        few="Ещё {n} организации присоединились, но по их просьбе не названы.",
        many="Ещё {n} организаций присоединились, но по их просьбе не названы.",
        other="Ещё {n} организации присоединились, но по их просьбе не названы.",
    ),
    country_tally="Подписей: {total}",
    country_unnamed="Подписей: {total}, из них не названо по их просьбе: {unnamed}",
    no_names="До момента отсечки нет подтверждённых подписей.",
    no_organisations="Ни одна организация не названа.",
    column_code="Код страны",
    column_country="Страна",
    column_name="Имя или инициалы",
    sheet="Частные лица",
    individuals="Частные лица",
    named="названы по имени",
    initials_only="только инициалы",
    anonymous="не названы по их просьбе",
    organisations="Организации",
    organisations_named="названы",
    organisations_unnamed="не названы по их просьбе",
    named_organisations="Названные организации",
    by_country="По странам",
    by_type="Названные организации по типу",
    country="Страна",
    organisation="Организация",
    signatures="Подписи",
    type="Тип",
    total="Всего",
    over_time="Подтверждённые подписи во времени",
    no_signatures="До момента отсечки нет подтверждённых подписей.",
    paper="Подписали на бумаге",
    paper_total="Подписали на бумаге: {total}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "Правозащитная организация",
        OrganisationKind.HUMANITARIAN: "Гуманитарная организация",
        OrganisationKind.UNION: "Профсоюз",
        OrganisationKind.FAITH: "Религиозная организация",
        OrganisationKind.ACADEMIC: "Научное или образовательное учреждение",
        OrganisationKind.MEDIA: "Средство массовой информации",
        OrganisationKind.PROFESSIONAL: "Профессиональное объединение",
        OrganisationKind.OTHER: "Другое",
    },
)

WORDING = {"en": EN, "uk": UK, "ru": RU}


def package_language(lang: str) -> str:
    """The language a package for a party speaking `lang` is written in."""
    return lang if lang in WORDING else "en"


def wording(lang: str) -> Wording:
    return WORDING[package_language(lang)]


# The locale whose conventions a package in each language follows: its English is British
# ("2 December 2026", "organisation"), so are its dates.
LOCALES = {"en": "en_GB"}


def locale(lang: str) -> str:
    return LOCALES.get(lang, lang)


def number(n: int, lang: str) -> str:
    return format_decimal(n, locale=locale(lang))


def long_date(day: date, lang: str) -> str:
    return format_date(day, "long", locale=locale(lang))


def moment(when: datetime, lang: str) -> str:
    """A cut-off as readers of `lang` write it: the long date, then the UTC time."""
    return f"{long_date(when.date(), lang)}, {when:%H:%M:%S} UTC"
