"""Trust signals a moderator weighs, and duplicate detection.

The signals are pure functions of what the representative typed: whether the email's domain
is the website's, whether it is a free-mail address, and which organisations of the same
campaign look like the same one (same website domain, or a similar name in any script).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from petition.extensions import db
from petition.models import Organisation, OrganisationStatus

SIMILARITY = 0.85
# A name contained in another counts only if it has at least this many letters: "Centre"
# alone would otherwise be a duplicate of every centre.
MIN_CONTAINED_LENGTH = 5
# Organisations a new one is compared with: confirmed and not gone. Unconfirmed sign-ons
# cost nothing to make, so they would only add noise.
CANDIDATE_STATUSES = (
    OrganisationStatus.AWAITING_REVIEW,
    OrganisationStatus.APPROVED,
    OrganisationStatus.REJECTED,
)


# --- trust signals: pure functions ------------------------------------------------------

# Addresses anyone can open in a minute: they say nothing about belonging to an organisation.
FREE_MAIL_DOMAINS = frozenset(
    {
        # international
        "gmail.com", "googlemail.com", "outlook.com", "msn.com", "aol.com", "ymail.com",
        "rocketmail.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com",
        "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de", "tutamail.com", "tuta.io",
        "tuta.com", "mail.com", "email.com", "zoho.com", "zohomail.com", "fastmail.com",
        "fastmail.fm", "hey.com", "yahoo.com", "hushmail.com", "posteo.de", "posteo.net",
        "mailbox.org", "disroot.org", "riseup.net", "web.de", "t-online.de", "freenet.de",
        "laposte.net", "orange.fr", "free.fr", "sfr.fr", "libero.it", "virgilio.it",
        "seznam.cz", "centrum.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "op.pl",
        "abv.bg", "inbox.lv", "inbox.lt", "mail.ee", "qq.com", "163.com", "126.com",
        "naver.com",
        # Russian
        "mail.ru", "bk.ru", "inbox.ru", "list.ru", "internet.ru", "yandex.ru", "yandex.com",
        "yandex.ua", "yandex.by", "yandex.kz", "ya.ru", "rambler.ru", "lenta.ru", "ro.ru",
        "autorambler.ru", "myrambler.ru", "rambler.ua", "pochta.ru", "mail.ua",
        # Ukrainian
        "ukr.net", "i.ua", "meta.ua", "email.ua", "online.ua", "bigmir.net", "gmail.com.ua",
        "ua.fm", "3g.ua", "ukrpost.ua", "mail.by", "tut.by",
    }
)  # fmt: skip
# Providers with a domain in many countries: yahoo.co.uk, hotmail.fr, gmx.de, live.nl, …
FREE_MAIL_BRANDS = frozenset({"yahoo", "hotmail", "live", "outlook", "gmx", "yandex", "aol"})
_COUNTRY_SUFFIX = re.compile(r"[a-z]{2,3}(?:\.[a-z]{2})?")
# Registries under which unrelated organisations share a name: neither side of a domain
# comparison may be just one of these.
SHARED_SUFFIXES = frozenset(
    {
        "org.ua", "com.ua", "in.ua", "net.ua", "gov.ua", "edu.ua", "kiev.ua", "kyiv.ua",
        "kharkov.ua", "od.ua", "lviv.ua", "org.ru", "com.ru", "net.ru", "msk.ru", "spb.ru",
        "co.uk", "org.uk", "ac.uk", "me.uk", "com.pl", "org.pl", "com.ge", "org.ge",
        "co.il", "org.il", "com.au", "org.au", "com.br", "org.br", "github.io", "wordpress.com",
        "blogspot.com", "wixsite.com", "tilda.ws", "narod.ru", "ucoz.ru", "livejournal.com",
    }
)  # fmt: skip


def normalise_domain(domain: str | None) -> str | None:
    """Lower case, no trailing dot or `www.`, international names as their ASCII form."""
    if not domain:
        return None
    domain = domain.strip().casefold().rstrip(".").removeprefix("www.")
    if not domain:
        return None
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def email_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return normalise_domain(address.rpartition("@")[2])


def is_free_mail(domain: str | None) -> bool:
    """Whether an address at `domain` is at a provider where anyone can open an account."""
    domain = normalise_domain(domain)
    if domain is None:
        return False
    if domain in FREE_MAIL_DOMAINS:
        return True
    brand, _, suffix = domain.partition(".")
    return brand in FREE_MAIL_BRANDS and _COUNTRY_SUFFIX.fullmatch(suffix) is not None


def domains_match(mail_domain: str | None, website_domain: str | None) -> bool:
    """Whether the email's domain is the website's, or one is a subdomain of the other
    (mail.rights.org and rights.org). A free-mail address never matches anything. Both
    take the domain only: the representative's address is sealed after the decision."""
    mail, site = normalise_domain(mail_domain), normalise_domain(website_domain)
    if not mail or not site or is_free_mail(mail):
        return False
    if mail == site:
        return True
    shorter, longer = sorted((mail, site), key=len)
    if "." not in shorter or shorter in SHARED_SUFFIXES:
        return False
    return longer.endswith(f".{shorter}")


_COMMON_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": "iu", "я": "ia", "й": "i", "ґ": "g", "є": "ie", "ї": "i", "і": "i",
    "ё": "e", "ъ": "", "ы": "y", "э": "e",
}  # fmt: skip
# Where the two languages write the same letter differently: Ukrainian г is h, и is y.
UKRAINIAN = str.maketrans({**_COMMON_CYRILLIC, "г": "h", "и": "y"})
RUSSIAN = str.maketrans({**_COMMON_CYRILLIC, "г": "g", "и": "i"})
_UKRAINIAN_LETTERS = frozenset("ґєії")
_APOSTROPHES = str.maketrans(dict.fromkeys("'’ʼ`´", ""))
_NOT_A_LETTER = re.compile(r"[^\w]+|_")

# Words that say what kind of body it is, not which one (after transliteration).
GENERIC_WORDS = frozenset(
    {
        "ngo", "ngos", "npo", "nko", "ano", "ho", "go", "vho", "mho", "oo", "roo", "moo",
        "bf", "mbf",
        "inc", "ltd", "llc", "gmbh", "ev", "asbl", "vzw", "ong", "onlus",
        "foundation", "fund", "fond", "fundacja", "stiftung",
        "organisation", "organization", "orhanizatsiia", "organizatsiia",
        "the", "of", "for", "and", "a", "an", "in", "on", "e", "v", "i", "ta", "u", "z", "s",
        "po", "za", "dlia",
    }
)  # fmt: skip
GENERIC_PHRASES = (
    "hromadska orhanizatsiia",
    "obshchestvennaia organizatsiia",
    "mizhnarodna hromadska orhanizatsiia",
    "mezhdunarodnaia obshchestvennaia organizatsiia",
    "blahodiinyi fond",
    "blagotvoritelnyi fond",
    "blahodiina orhanizatsiia",
    "blagotvoritelnaia organizatsiia",
    "nekommercheskaia organizatsiia",
    "avtonomnaia nekommercheskaia organizatsiia",
    "neuriadova orhanizatsiia",
    "public organisation",
    "public organization",
    "non governmental organisation",
    "non governmental organization",
    "nongovernmental organisation",
    "nongovernmental organization",
    "non profit",
    "charitable foundation",
    "charitable organisation",
    "charitable organization",
)


def transliterate(text: str) -> str:
    """Cyrillic to Latin with a simple table, Ukrainian or Russian by the letters present;
    then accents dropped (é → e), so names compare across scripts."""
    table = UKRAINIAN if _UKRAINIAN_LETTERS & set(text) else RUSSIAN
    latin = text.translate(table)
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=20_000)
def name_key(name: str) -> str:
    """A name reduced to what tells organisations apart: case folded, in Latin letters,
    without punctuation or generic words like "NGO", "фонд", "громадська організація"."""
    text = transliterate(name.casefold().translate(_APOSTROPHES))
    spaced = f" {' '.join(_NOT_A_LETTER.sub(' ', text).split())} "
    for phrase in GENERIC_PHRASES:
        spaced = spaced.replace(f" {phrase} ", " ")
    return " ".join(word for word in spaced.split() if word not in GENERIC_WORDS)


@dataclass(frozen=True)
class NameKey:
    """A name key with what comparing it many times needs, computed once."""

    text: str
    padded: str  # " key ", to find it as whole words inside another key
    trigrams: frozenset[str]

    @classmethod
    def of(cls, text: str) -> NameKey:
        trigrams = frozenset(text[i : i + 3] for i in range(len(text) - 2))
        return cls(text=text, padded=f" {text} ", trigrams=trigrams)


# Below this combined length, two keys can reach SIMILARITY without sharing any three
# letters in a row; above it, every match has a block of three or more, so keys with no
# trigram in common are certainly not similar. (Blocks of at most two letters would need
# at least M/2 - 1 gaps, so T - 2M >= M/2 - 1 with M >= 0.425 T: only when T <= 16.)
_TRIGRAM_SAFE_LENGTH = 16


class _NameComparer:
    """Compares one key with many: difflib caches what it learns about its second string,
    so the key stays that string and each other key in turn becomes the first."""

    def __init__(self, key: NameKey) -> None:
        self.key = key
        self.matcher = SequenceMatcher(None, "", key.text, autojunk=False)

    def similar(self, other: NameKey) -> bool:
        mine, theirs = self.key, other
        if not mine.text or not theirs.text:
            return False
        if mine.text == theirs.text:
            return True
        shorter, longer = (mine, theirs) if len(mine.text) <= len(theirs.text) else (theirs, mine)
        if len(shorter.text) >= MIN_CONTAINED_LENGTH and shorter.padded in longer.padded:
            return True
        total = len(mine.text) + len(theirs.text)
        # The ratio is at most 2·len(shorter)/total: skip pairs that cannot reach it.
        if 2 * len(shorter.text) < SIMILARITY * total:
            return False
        if total > _TRIGRAM_SAFE_LENGTH and mine.trigrams.isdisjoint(theirs.trigrams):
            return False
        self.matcher.set_seq1(theirs.text)
        return self.matcher.quick_ratio() >= SIMILARITY and self.matcher.ratio() >= SIMILARITY


def keys_similar(first: str, second: str) -> bool:
    """Two name keys for the same organisation: one contains the other as whole words
    (and has at least MIN_CONTAINED_LENGTH letters), or their difflib ratio is at least
    SIMILARITY."""
    return _NameComparer(NameKey.of(first)).similar(NameKey.of(second))


def name_keys(*names: str | None) -> tuple[NameKey, ...]:
    """The distinct non-empty keys of an organisation's names (Latin and original script)."""
    keys = (name_key(name) for name in names if name)
    return tuple(_prepared(key) for key in dict.fromkeys(key for key in keys if key))


@lru_cache(maxsize=20_000)
def _prepared(key: str) -> NameKey:
    return NameKey.of(key)


def names_similar(first: Iterable[str | None], second: Iterable[str | None]) -> bool:
    """Whether any name of one organisation is similar to any name of the other."""
    theirs = name_keys(*second)
    return any(_NameComparer(a).similar(b) for a in name_keys(*first) for b in theirs)


# --- duplicates: one bounded query per campaign -----------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What duplicate detection reads of an organisation (a few columns, not the entity),
    with its domain and name keys worked out once."""

    id: int
    campaign_id: int
    name: str
    name_original: str | None
    country: str
    status: OrganisationStatus
    domain: str | None
    keys: tuple[NameKey, ...]

    @classmethod
    def of(cls, row: Any) -> Candidate:
        """From an Organisation, or a row of CANDIDATE_COLUMNS."""
        return cls(
            id=row.id,
            campaign_id=row.campaign_id,
            name=row.name,
            name_original=row.name_original,
            country=row.country,
            status=OrganisationStatus(row.status),
            domain=normalise_domain(row.website_domain),
            keys=name_keys(row.name, row.name_original),
        )


CANDIDATE_COLUMNS = (
    Organisation.id,
    Organisation.campaign_id,
    Organisation.name,
    Organisation.name_original,
    Organisation.country,
    Organisation.status,
    Organisation.website_domain,
)


@dataclass(frozen=True)
class Duplicate:
    candidate: Candidate
    same_domain: bool
    similar_name: bool


def campaign_candidates(campaign_id: int) -> list[Candidate]:
    """The organisations of one campaign a newcomer is compared with, as light rows: the
    query is bounded by the campaign (and its index), and loads no entity."""
    query = select(*CANDIDATE_COLUMNS).where(
        Organisation.campaign_id == campaign_id,
        Organisation.status.in_(CANDIDATE_STATUSES),
    )
    return [Candidate.of(row) for row in db.session.execute(query)]


def duplicates_among(
    organisation: Organisation | Candidate, candidates: Iterable[Candidate]
) -> list[Duplicate]:
    """The candidates that look like `organisation`: same website domain first."""
    own = organisation if isinstance(organisation, Candidate) else Candidate.of(organisation)
    comparers = [_NameComparer(key) for key in own.keys]
    found = []
    for candidate in candidates:
        if candidate.id == own.id:
            continue
        same_domain = own.domain is not None and candidate.domain == own.domain
        similar = any(c.similar(key) for c in comparers for key in candidate.keys)
        if same_domain or similar:
            found.append(Duplicate(candidate, same_domain, similar))
    return sorted(found, key=lambda d: (not d.same_domain, d.candidate.id))


def find_duplicates(organisations: Sequence[Organisation]) -> dict[int, list[Duplicate]]:
    """Likely duplicates of each organisation, within its own campaign: one query per
    campaign for the whole page, never one per row."""
    by_campaign: dict[int, list[Organisation]] = defaultdict(list)
    for organisation in organisations:
        by_campaign[organisation.campaign_id].append(organisation)
    found: dict[int, list[Duplicate]] = {}
    for campaign_id, members in by_campaign.items():
        candidates = campaign_candidates(campaign_id)
        for organisation in members:
            found[organisation.id] = duplicates_among(organisation, candidates)
    return found


@dataclass(frozen=True)
class TrustSignals:
    email_domain: str | None
    domain_matches: bool
    free_mail: bool
    duplicates: list[Duplicate] = field(default_factory=list)


def trust_signals(organisation: Organisation, duplicates: list[Duplicate]) -> TrustSignals:
    domain = normalise_domain(organisation.rep_email_domain) or email_domain(organisation.rep_email)
    return TrustSignals(
        email_domain=domain,
        domain_matches=domains_match(domain, organisation.website_domain),
        free_mail=is_free_mail(domain),
        duplicates=duplicates,
    )
