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
    """A phrase with `{n}` in each of the language's CLDR plural forms (Babel's rules for
    the locale pick one); a form a language does not use is left out and never chosen."""

    other: str
    one: str = ""
    few: str = ""
    many: str = ""
    zero: str = ""  # Arabic: 0
    two: str = ""  # Arabic: 2 (the dual)

    def format(self, lang: str, n: int) -> str:
        form = Locale.parse(locale(lang)).plural_form(n)
        phrase = getattr(self, form, "") or self.other
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
    closing_named: str  # after any other salutation; `{salutation}` repeats it (French)
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

NB = "\u00a0"

TR = Wording(
    default_letter=(
        "“{campaign}” çağrısına katılan kuruluşlar ve kişiler adına size başvuruyoruz.\n\n"
        "Çağrının metni ve taleplerimiz, {date} itibarıyla imzacı sayısıyla birlikte aşağıda "
        "yer almaktadır; imzacılar, her biri kendi tercih ettiği biçimde, ekteki listelerde "
        "belirtilmiştir.\n\n"
        "Bu taleplerin savaşı sona erdirmeye yönelik tüm müzakerelerde yer almasını ve "
        "insanların her şeyden önce gözetilmesini saygıyla rica ederiz."
    ),
    counted_letter=(
        "“{campaign}” çağrısına katılan kuruluşlar ve kişiler adına size başvuruyoruz.\n\n"
        "Çağrının metni ve taleplerimiz, {date} itibarıyla imzacı sayısıyla birlikte aşağıda "
        "yer almaktadır; ekteki özet, imzacıların ülkelere göre dağılımını göstermektedir.\n\n"
        "Bu taleplerin savaşı sona erdirmeye yönelik tüm müzakerelerde yer almasını ve "
        "insanların her şeyden önce gözetilmesini saygıyla rica ederiz."
    ),
    salutation="Sayın Yetkili,",
    salutation_office="Ekselansları,",
    statement="Çağrımız",
    demands="Taleplerimiz",
    totals="{date} itibarıyla imzacılar",
    organisations_total="Kuruluşlar: {total} (Ek 1’de adı belirtilenler: {named})",
    individuals_total="Bireyler: {total} (Ek 2’de adı belirtilenler: {named})",
    organisations_counted="Kuruluşlar: {total}",
    individuals_counted="Bireyler: {total}",
    closing="Saygılarımızla,",
    closing_named="Saygılarımızla,",
    signed_for="“{campaign}” koalisyonu adına",
    enclosures="Ekler",
    annex_organisations="Ek 1. Kuruluşlar",
    annex_individuals="Ek 2. Bireyler",
    summary="Özet",
    cutoff="{when} öncesinde onaylanan imzalar",
    page="Sayfa {n} / {total}",
    reference="Sayı: {ref}",
    further_organisations=Plural(
        one="{n} kuruluş daha katılmıştır; talebi üzerine adı belirtilmemiştir.",
        other="{n} kuruluş daha katılmıştır; talepleri üzerine adları belirtilmemiştir.",
    ),
    country_tally="İmza sayısı: {total}",
    country_unnamed="İmza sayısı: {total}; bunlardan talepleri üzerine adı belirtilmeyenler: "
    "{unnamed}",
    no_names="Belirlenen tarihten önce onaylanmış imza bulunmamaktadır.",
    no_organisations="Adı belirtilen kuruluş bulunmamaktadır.",
    column_code="Ülke kodu",
    column_country="Ülke",
    column_name="Ad veya baş harfler",
    sheet="Bireyler",
    individuals="Bireyler",
    named="adıyla",
    initials_only="yalnızca baş harfleriyle",
    anonymous="talepleri üzerine adı belirtilmeyenler",
    organisations="Kuruluşlar",
    organisations_named="adıyla",
    organisations_unnamed="talepleri üzerine adı belirtilmeyenler",
    named_organisations="Adı belirtilen kuruluşlar",
    by_country="Ülkelere göre",
    by_type="Adı belirtilen kuruluşlar, türlerine göre",
    country="Ülke",
    organisation="Kuruluş",
    signatures="İmzalar",
    type="Tür",
    total="Toplam",
    over_time="Onaylanan imzaların zaman içindeki seyri",
    no_signatures="Belirlenen tarihten önce onaylanmış imza bulunmamaktadır.",
    paper="Kâğıt üzerindeki imzalar",
    paper_total="Kâğıt üzerindeki imzalar: {total}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "İnsan hakları örgütü",
        OrganisationKind.HUMANITARIAN: "İnsani yardım kuruluşu",
        OrganisationKind.UNION: "Sendika",
        OrganisationKind.FAITH: "İnanç temelli kuruluş",
        OrganisationKind.ACADEMIC: "Akademik kurum",
        OrganisationKind.MEDIA: "Medya kuruluşu",
        OrganisationKind.PROFESSIONAL: "Meslek örgütü",
        OrganisationKind.OTHER: "Diğer",
    },
)

FR = Wording(
    default_letter=(
        f"Nous nous adressons à vous au nom des organisations et des personnes qui se sont "
        f"jointes à l’appel «{NB}{{campaign}}{NB}».\n\n"
        f"Vous trouverez ci-après le texte de cet appel et nos demandes, ainsi que le nombre "
        f"de signataires au {{date}}{NB}; les signataires figurent dans les annexes ci-jointes, "
        f"chacun sous la forme qu’il a choisie.\n\n"
        f"Nous vous prions de bien vouloir inscrire ces demandes au cœur de toute négociation "
        f"visant à mettre fin à la guerre, et de placer les personnes au premier plan."
    ),
    counted_letter=(
        f"Nous nous adressons à vous au nom des organisations et des personnes qui se sont "
        f"jointes à l’appel «{NB}{{campaign}}{NB}».\n\n"
        f"Vous trouverez ci-après le texte de cet appel et nos demandes, ainsi que le nombre "
        f"de signataires au {{date}}{NB}; le récapitulatif joint en donne la répartition par "
        f"pays.\n\n"
        f"Nous vous prions de bien vouloir inscrire ces demandes au cœur de toute négociation "
        f"visant à mettre fin à la guerre, et de placer les personnes au premier plan."
    ),
    salutation="Madame, Monsieur,",
    salutation_office="Excellence,",
    statement="Notre appel",
    demands="Nos demandes",
    totals="Signataires au {date}",
    organisations_total=f"Organisations{NB}: {{total}} (nommées à l’annexe 1{NB}: {{named}})",
    individuals_total=f"Particuliers{NB}: {{total}} (nommés à l’annexe 2{NB}: {{named}})",
    organisations_counted=f"Organisations{NB}: {{total}}",
    individuals_counted=f"Particuliers{NB}: {{total}}",
    closing="Nous vous prions d’agréer, Madame, Monsieur, l’expression de notre haute "
    "considération.",
    closing_named="Nous vous prions d’agréer, {salutation}, l’assurance de notre très haute "
    "considération.",
    signed_for=f"Au nom de la coalition «{NB}{{campaign}}{NB}»",
    enclosures="Pièces jointes",
    annex_organisations="Annexe 1. Organisations",
    annex_individuals="Annexe 2. Particuliers",
    summary="Récapitulatif",
    cutoff="Signatures confirmées avant le {when}",
    page="Page {n} sur {total}",
    reference=f"Réf.{NB}: {{ref}}",
    further_organisations=Plural(
        one=f"{{n}} autre organisation s’est jointe à l’appel{NB}; à sa demande, elle n’est "
        f"pas nommée.",
        other=f"{{n}} autres organisations se sont jointes à l’appel{NB}; à leur demande, "
        f"elles ne sont pas nommées.",
    ),
    country_tally=f"Signatures{NB}: {{total}}",
    country_unnamed=f"Signatures{NB}: {{total}}{NB}; signataires non nommés à leur "
    f"demande{NB}: {{unnamed}}",
    no_names="Aucune signature confirmée avant la date d’arrêté.",
    no_organisations="Aucune organisation n’est nommée.",
    column_code="Code pays",
    column_country="Pays",
    column_name="Nom ou initiales",
    sheet="Particuliers",
    individuals="Particuliers",
    named="nommés",
    initials_only="initiales seulement",
    anonymous="non nommés, à leur demande",
    organisations="Organisations",
    organisations_named="nommées",
    organisations_unnamed="non nommées, à leur demande",
    named_organisations="Organisations nommées",
    by_country="Par pays",
    by_type="Organisations nommées, par type",
    country="Pays",
    organisation="Organisation",
    signatures="Signatures",
    type="Type",
    total="Total",
    over_time="Signatures confirmées au fil du temps",
    no_signatures="Aucune signature confirmée avant la date d’arrêté.",
    paper="Signatures sur papier",
    paper_total=f"Signatures sur papier{NB}: {{total}}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "Organisation de défense des droits humains",
        OrganisationKind.HUMANITARIAN: "Organisation humanitaire",
        OrganisationKind.UNION: "Syndicat",
        OrganisationKind.FAITH: "Organisation confessionnelle",
        OrganisationKind.ACADEMIC: "Établissement d’enseignement ou de recherche",
        OrganisationKind.MEDIA: "Média",
        OrganisationKind.PROFESSIONAL: "Organisation professionnelle",
        OrganisationKind.OTHER: "Autre",
    },
)

IT = Wording(
    default_letter=(
        "Ci rivolgiamo a Lei a nome delle organizzazioni e delle persone che hanno aderito "
        "all’appello «{campaign}».\n\n"
        "Di seguito riportiamo il testo dell’appello e le nostre richieste, con il numero dei "
        "firmatari al {date}; i firmatari sono elencati negli allegati, ciascuno nella forma "
        "in cui ha scelto di essere indicato.\n\n"
        "La preghiamo di voler fare di queste richieste parte integrante di ogni negoziato "
        "volto a porre fine alla guerra, e di mettere al primo posto le persone."
    ),
    counted_letter=(
        "Ci rivolgiamo a Lei a nome delle organizzazioni e delle persone che hanno aderito "
        "all’appello «{campaign}».\n\n"
        "Di seguito riportiamo il testo dell’appello e le nostre richieste, con il numero dei "
        "firmatari al {date}; il prospetto allegato ne riporta il numero per Paese.\n\n"
        "La preghiamo di voler fare di queste richieste parte integrante di ogni negoziato "
        "volto a porre fine alla guerra, e di mettere al primo posto le persone."
    ),
    salutation="Gentili Signore e Signori,",
    salutation_office="Eccellenza,",
    statement="Il nostro appello",
    demands="Le nostre richieste",
    totals="Firmatari al {date}",
    organisations_total="Organizzazioni: {total} (indicate nell’allegato 1: {named})",
    individuals_total="Persone: {total} (indicate nell’allegato 2: {named})",
    organisations_counted="Organizzazioni: {total}",
    individuals_counted="Persone: {total}",
    closing="Distinti saluti,",
    closing_named="Con i sensi della più alta considerazione,",
    signed_for="A nome della coalizione «{campaign}»",
    enclosures="Allegati",
    annex_organisations="Allegato 1. Organizzazioni",
    annex_individuals="Allegato 2. Persone",
    summary="Prospetto riepilogativo",
    cutoff="Firme confermate prima del {when}",
    page="Pagina {n} di {total}",
    reference="Prot. n. {ref}",
    further_organisations=Plural(
        one="Ha aderito inoltre {n} organizzazione, che su sua richiesta non viene nominata.",
        other="Hanno aderito inoltre {n} organizzazioni, che su loro richiesta non vengono "
        "nominate.",
    ),
    country_tally="Firme: {total}",
    country_unnamed="Firme: {total}, di cui anonime su richiesta dei firmatari: {unnamed}",
    no_names="Nessuna firma confermata prima della data di riferimento.",
    no_organisations="Nessuna organizzazione è nominata.",
    column_code="Codice Paese",
    column_country="Paese",
    column_name="Nome o iniziali",
    sheet="Persone",
    individuals="Persone",
    named="con il nome",
    initials_only="solo con le iniziali",
    anonymous="non nominate, su loro richiesta",
    organisations="Organizzazioni",
    organisations_named="nominate",
    organisations_unnamed="non nominate, su loro richiesta",
    named_organisations="Organizzazioni nominate",
    by_country="Per Paese",
    by_type="Organizzazioni nominate, per tipo",
    country="Paese",
    organisation="Organizzazione",
    signatures="Firme",
    type="Tipo",
    total="Totale",
    over_time="Firme confermate nel tempo",
    no_signatures="Nessuna firma confermata prima della data di riferimento.",
    paper="Firme raccolte su carta",
    paper_total="Firme raccolte su carta: {total}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "Organizzazione per i diritti umani",
        OrganisationKind.HUMANITARIAN: "Organizzazione umanitaria",
        OrganisationKind.UNION: "Sindacato",
        OrganisationKind.FAITH: "Organizzazione religiosa",
        OrganisationKind.ACADEMIC: "Istituzione accademica",
        OrganisationKind.MEDIA: "Organo di informazione",
        OrganisationKind.PROFESSIONAL: "Ordine o associazione professionale",
        OrganisationKind.OTHER: "Altro",
    },
)

AR = Wording(
    default_letter=(
        "نتوجه إليكم بهذه الرسالة باسم المنظمات والأفراد الذين انضموا إلى نداء "
        "«{campaign}».\n\n"
        "يرد أدناه نص النداء ومطالبنا، مع عدد الموقعين حتى {date}؛ وترد أسماء الموقعين "
        "في الملاحق المرفقة، كل منهم بالصيغة التي اختار أن يذكر بها.\n\n"
        "ونرجو منكم التكرم بإدراج هذه المطالب في صلب أي مفاوضات تهدف إلى إنهاء الحرب، "
        "وبوضع الإنسان في المقام الأول."
    ),
    counted_letter=(
        "نتوجه إليكم بهذه الرسالة باسم المنظمات والأفراد الذين انضموا إلى نداء "
        "«{campaign}».\n\n"
        "يرد أدناه نص النداء ومطالبنا، مع عدد الموقعين حتى {date}؛ ويبين الملخص المرفق "
        "أعدادهم بحسب البلد.\n\n"
        "ونرجو منكم التكرم بإدراج هذه المطالب في صلب أي مفاوضات تهدف إلى إنهاء الحرب، "
        "وبوضع الإنسان في المقام الأول."
    ),
    salutation="حضرات السيدات والسادة المحترمين،",
    salutation_office="صاحب المعالي،",
    statement="نداؤنا",
    demands="مطالبنا",
    totals="الموقعون حتى {date}",
    organisations_total="المنظمات: {total} (الواردة أسماؤها في الملحق 1: {named})",
    individuals_total="الأفراد: {total} (الواردة أسماؤهم في الملحق 2: {named})",
    organisations_counted="المنظمات: {total}",
    individuals_counted="الأفراد: {total}",
    closing="وتفضلوا بقبول فائق الاحترام والتقدير،",
    closing_named="وتفضلوا بقبول فائق الاحترام والتقدير،",
    signed_for="باسم تحالف «{campaign}»",
    enclosures="المرفقات",
    annex_organisations="الملحق 1. المنظمات",
    annex_individuals="الملحق 2. الأفراد",
    summary="الملخص",
    cutoff="التوقيعات المؤكدة قبل {when}",
    page="الصفحة {n} من {total}",
    reference="الرقم المرجعي: {ref}",
    further_organisations=Plural(
        zero="لم تنضم أي منظمة أخرى دون ذكر اسمها.",
        one="انضمت منظمة أخرى واحدة لم يذكر اسمها بناء على طلبها.",
        two="انضمت منظمتان أخريان لم يذكر اسماهما بناء على طلبهما.",
        few="انضمت {n} منظمات أخرى لم تذكر أسماؤها بناء على طلبها.",
        many="انضمت {n} منظمة أخرى لم تذكر أسماؤها بناء على طلبها.",
        other="انضمت {n} منظمة أخرى لم تذكر أسماؤها بناء على طلبها.",
    ),
    country_tally="التوقيعات: {total}",
    country_unnamed="التوقيعات: {total}، منها دون ذكر الاسم بناء على طلب أصحابها: {unnamed}",
    no_names="لا توجد توقيعات مؤكدة قبل تاريخ الإقفال.",
    no_organisations="لم يذكر اسم أي منظمة.",
    column_code="رمز البلد",
    column_country="البلد",
    column_name="الاسم أو الأحرف الأولى",
    sheet="الأفراد",
    individuals="الأفراد",
    named="بالاسم",
    initials_only="بالأحرف الأولى فقط",
    anonymous="دون ذكر الاسم، بناء على طلبهم",
    organisations="المنظمات",
    organisations_named="بالاسم",
    organisations_unnamed="دون ذكر الاسم، بناء على طلبها",
    named_organisations="المنظمات المذكورة بالاسم",
    by_country="بحسب البلد",
    by_type="المنظمات المذكورة بالاسم، بحسب النوع",
    country="البلد",
    organisation="المنظمة",
    signatures="التوقيعات",
    type="النوع",
    total="المجموع",
    over_time="تطور عدد التوقيعات المؤكدة",
    no_signatures="لا توجد توقيعات مؤكدة قبل تاريخ الإقفال.",
    paper="التوقيعات الورقية",
    paper_total="التوقيعات الورقية: {total}",
    kinds={
        OrganisationKind.HUMAN_RIGHTS: "منظمة لحقوق الإنسان",
        OrganisationKind.HUMANITARIAN: "منظمة إنسانية",
        OrganisationKind.UNION: "نقابة عمالية",
        OrganisationKind.FAITH: "منظمة دينية",
        OrganisationKind.ACADEMIC: "مؤسسة أكاديمية",
        OrganisationKind.MEDIA: "مؤسسة إعلامية",
        OrganisationKind.PROFESSIONAL: "هيئة مهنية",
        OrganisationKind.OTHER: "أخرى",
    },
)

WORDING = {"en": EN, "uk": UK, "ru": RU, "tr": TR, "ar": AR, "fr": FR, "it": IT}


def package_language(lang: str) -> str:
    """The language a package for a party speaking `lang` is written in."""
    return lang if lang in WORDING else "en"


def wording(lang: str) -> Wording:
    return WORDING[package_language(lang)]


# The locale whose conventions a package in each language follows: its English is British
# ("2 December 2026", "organisation"), so are its dates.
LOCALES = {"en": "en_GB"}
# Languages whose comma is not the Latin one.
COMMAS = {"ar": "،"}
# Languages that write the first day of a month as an ordinal: "1er mars", "1º marzo".
FIRST_OF_MONTH = {"fr": "1er", "it": "1º"}


def locale(lang: str) -> str:
    return LOCALES.get(lang, lang)


def number(n: int, lang: str) -> str:
    return format_decimal(n, locale=locale(lang))


def long_date(day: date, lang: str) -> str:
    written = format_date(day, "long", locale=locale(lang))
    if day.day == 1 and lang in FIRST_OF_MONTH and written.startswith("1 "):
        written = f"{FIRST_OF_MONTH[lang]} {written[2:]}"
    return written


def moment(when: datetime, lang: str) -> str:
    """A cut-off as readers of `lang` write it: the long date, then the UTC time."""
    comma = COMMAS.get(lang, ",")
    return f"{long_date(when.date(), lang)}{comma} {when:%H:%M:%S} UTC"
