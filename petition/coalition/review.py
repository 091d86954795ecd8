"""Organisation review: the queue, the trust signals a moderator weighs, and the decisions.

The trust signals are pure functions of what the representative typed: whether the email's
domain is the website's, whether it is a free-mail address, and which organisations of the
same campaign look like the same one (same website domain, or a similar name in any script).

Decisions (approve, reject, edit, founding, merge) each lock the organisation, refuse a
transition that makes no sense or a page that is out of date, record an audit event and
queue any mail in the same transaction. The view commits, then forgets the cached counts.
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

from sqlalchemy import UnaryExpression, func, select, update

from petition import audit
from petition.coalition.logos import store_logo
from petition.coalition.services import PublicDetails, apply_public_details
from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.models import (
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    OutboxMessage,
    OutboxStatus,
    StaffUser,
)
from petition.models.types import utcnow

PAGE_SIZE = 50
REASON_MAX_LENGTH = 500
SIMILARITY = 0.85
# A name contained in another counts only if it has at least this many letters: "Centre"
# alone would otherwise be a duplicate of every centre.
MIN_CONTAINED_LENGTH = 5

# --- transitions -----------------------------------------------------------------------

APPROVABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.REJECTED})
REJECTABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.APPROVED})
EDITABLE = frozenset(
    {
        OrganisationStatus.PENDING,
        OrganisationStatus.AWAITING_REVIEW,
        OrganisationStatus.APPROVED,
        OrganisationStatus.REJECTED,
    }
)
FOUNDING_MARKABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.APPROVED})
MERGEABLE = EDITABLE  # what may be folded into another organisation
KEEPABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.APPROVED})
# Organisations a new one is compared with: confirmed and not gone. Unconfirmed sign-ons
# cost nothing to make, so they would only add noise.
CANDIDATE_STATUSES = (
    OrganisationStatus.AWAITING_REVIEW,
    OrganisationStatus.APPROVED,
    OrganisationStatus.REJECTED,
)


class ReviewError(Exception):
    """A decision that cannot be taken; nothing was changed."""


class StatusChanged(ReviewError):
    """Someone changed the organisation since the moderator's page was shown."""

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(f"organisation {organisation.id} is {organisation.status}")
        self.organisation = organisation


class NotAllowed(ReviewError):
    """The decision does not apply to an organisation in its current status."""

    def __init__(self, organisation: Organisation, action: str) -> None:
        super().__init__(f"cannot {action} organisation {organisation.id} ({organisation.status})")
        self.organisation = organisation
        self.action = action


class CannotKeep(ReviewError):
    """The organisation chosen to keep in a merge is not one this one can be folded into."""


class NamingNotAllowed(ReviewError):
    """Only the organisation may choose to be named: staff never turn 'counted' into 'public'."""


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


def is_free_mail(address: str | None) -> bool:
    """Whether the address is at a provider where anyone can open an account."""
    domain = email_domain(address)
    if domain is None:
        return False
    if domain in FREE_MAIL_DOMAINS:
        return True
    brand, _, suffix = domain.partition(".")
    return brand in FREE_MAIL_BRANDS and _COUNTRY_SUFFIX.fullmatch(suffix) is not None


def domains_match(address: str | None, website_domain: str | None) -> bool:
    """Whether the email's domain is the website's, or one is a subdomain of the other
    (mail.rights.org and rights.org). A free-mail address never matches anything."""
    mail, site = email_domain(address), normalise_domain(website_domain)
    if not mail or not site or is_free_mail(address):
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

    @property
    def keepable(self) -> bool:
        return self.candidate.status in KEEPABLE


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
    return TrustSignals(
        email_domain=email_domain(organisation.rep_email),
        domain_matches=domains_match(organisation.rep_email, organisation.website_domain),
        free_mail=is_free_mail(organisation.rep_email),
        duplicates=duplicates,
    )


# --- the queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    campaign_id: int | None = None
    status: OrganisationStatus = OrganisationStatus.AWAITING_REVIEW

    def as_args(self) -> dict[str, str]:
        args = {"status": self.status.value}
        if self.campaign_id is not None:
            args["campaign"] = str(self.campaign_id)
        return args


@dataclass(frozen=True)
class QueueRow:
    organisation: Organisation
    signals: TrustSignals


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def _ordering(status: OrganisationStatus) -> tuple[UnaryExpression[Any], ...]:
    """The queue: oldest confirmation first. Decided ones: latest decision first."""
    if status is OrganisationStatus.AWAITING_REVIEW:
        return (Organisation.confirmed_at.asc(), Organisation.id.asc())
    if status is OrganisationStatus.PENDING:
        return (Organisation.created_at.desc(), Organisation.id.desc())
    latest = func.coalesce(
        Organisation.withdrawn_at,
        Organisation.reviewed_at,
        Organisation.confirmed_at,
        Organisation.created_at,
    )
    return (latest.desc(), Organisation.id.desc())


def queue_page(wanted: QueueFilter, page: int = 1) -> QueuePage:
    conditions = [Organisation.status == wanted.status]
    if wanted.campaign_id is not None:
        conditions.append(Organisation.campaign_id == wanted.campaign_id)
    total = db.session.scalar(select(func.count()).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    organisations = list(
        db.session.scalars(
            select(Organisation)
            .where(*conditions)
            .order_by(*_ordering(wanted.status))
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    duplicates = find_duplicates(organisations)
    rows = [QueueRow(o, trust_signals(o, duplicates[o.id])) for o in organisations]
    return QueuePage(rows=rows, total=total, page=page, pages=pages)


# --- one organisation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """Everything the review page shows of one organisation."""

    organisation: Organisation
    signals: TrustSignals
    reviewed_by: str | None
    merged_into: Organisation | None


def review(organisation_id: int) -> Review | None:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        return None
    duplicates = duplicates_among(organisation, campaign_candidates(organisation.campaign_id))
    reviewer = (
        db.session.scalar(
            select(StaffUser.email).where(StaffUser.id == organisation.reviewed_by_id)
        )
        if organisation.reviewed_by_id
        else None
    )
    return Review(
        organisation=organisation,
        signals=trust_signals(organisation, duplicates),
        reviewed_by=reviewer,
        merged_into=organisation.merged_into,
    )


def allowed_actions(organisation: Organisation) -> frozenset[str]:
    """The decisions the review page offers for the organisation as it is now."""
    status = organisation.status
    allowed = set()
    if status in APPROVABLE:
        allowed.add("approve")
    if status in REJECTABLE:
        allowed.add("reject")
    if status in EDITABLE:
        allowed.add("edit")
    if status in FOUNDING_MARKABLE or organisation.founding:
        allowed.add("founding")
    if status in MERGEABLE:
        allowed.add("merge")
    return frozenset(allowed)


def _locked(organisation_id: int) -> Organisation | None:
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _take(organisation_id: int, seen_status: str, action: str) -> Organisation:
    """The organisation, locked; raises unless it is as the moderator saw it and `action`
    applies to it. LookupError if there is no such organisation."""
    organisation = _locked(organisation_id)
    if organisation is None:
        raise LookupError(organisation_id)
    if organisation.status.value != seen_status:
        raise StatusChanged(organisation)
    if action not in allowed_actions(organisation):
        raise NotAllowed(organisation, action)
    return organisation


DECISION_MAILS = ("organisation_approved", "organisation_rejected")


def _decided(organisation: Organisation, status: OrganisationStatus, actor: StaffUser) -> None:
    organisation.status = status
    organisation.reviewed_by_id = actor.id
    organisation.reviewed_at = utcnow()
    _withdraw_unsent_decision_mails(organisation)


def _withdraw_unsent_decision_mails(organisation: Organisation) -> None:
    """A new decision supersedes the mail about an earlier one that has not gone out yet
    (a moderator who rejects by mistake and approves a minute later sends one mail, not
    two that contradict each other). The superseded reason is erased with it."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.organisation_id == organisation.id,
            OutboxMessage.kind.in_(DECISION_MAILS),
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(
            status=OutboxStatus.FAILED,
            last_error="superseded by a later decision",
            recipient=None,
            payload={},
        )
        .execution_options(synchronize_session=False)
    )


def _record(organisation: Organisation, action: str, actor: StaffUser, detail: str = "") -> None:
    audit.record(
        f"organisation.{action}",
        actor=actor,
        object_type="organisation",
        object_id=organisation.id,
        detail=detail,
    )


def approve(organisation_id: int, *, seen_status: str, actor: StaffUser) -> Organisation:
    """The organisation joins: counted, listed if it chose so, and its representative is
    mailed a link to manage the entry."""
    organisation = _take(organisation_id, seen_status, "approve")
    _decided(organisation, OrganisationStatus.APPROVED, actor)
    organisation.rejection_reason = None
    _record(organisation, "approved", actor, f"campaign={organisation.campaign_id}")
    enqueue("organisation_approved", lang=organisation.lang, organisation=organisation)
    db.session.flush()
    return organisation


def reject(
    organisation_id: int, *, seen_status: str, reason: str, actor: StaffUser
) -> Organisation:
    """Not (or no longer) part of the coalition; the representative is told why, in their
    language."""
    organisation = _take(organisation_id, seen_status, "reject")
    _decided(organisation, OrganisationStatus.REJECTED, actor)
    organisation.rejection_reason = reason[:REASON_MAX_LENGTH]
    _record(organisation, "rejected", actor, f"reason: {reason}")
    enqueue(
        "organisation_rejected",
        lang=organisation.lang,
        organisation=organisation,
        payload={"reason": organisation.rejection_reason},
    )
    db.session.flush()
    return organisation


@dataclass(frozen=True)
class DetailsEdit:
    details: PublicDetails
    country: str
    kind: OrganisationKind
    logo: bytes | None = None  # a new logo, as uploaded
    remove_logo: bool = False


@dataclass(frozen=True)
class Edited:
    changed: list[str]
    discarded_logo: str | None  # delete the file once the change is committed


_DETAIL_FIELDS = ("name", "name_original", "website", "statement", "listing", "country", "kind")


def edit_details(
    organisation_id: int, edit: DetailsEdit, *, seen_status: str, actor: StaffUser
) -> Edited:
    """Change what the public sees. Staff may keep an organisation from being named, but
    never name one that chose to be counted only: that is the organisation's own call."""
    organisation = _take(organisation_id, seen_status, "edit")
    if organisation.listing is Listing.COUNTED and edit.details.listing is Listing.PUBLIC:
        raise NamingNotAllowed
    before = {name: getattr(organisation, name) for name in _DETAIL_FIELDS}
    apply_public_details(organisation, edit.details)
    organisation.country = edit.country
    organisation.kind = edit.kind
    changed = [name for name in _DETAIL_FIELDS if getattr(organisation, name) != before[name]]
    discarded = None
    if edit.logo is not None:
        discarded, organisation.logo = organisation.logo, store_logo(edit.logo)
        changed.append("logo")
    elif edit.remove_logo and organisation.logo:
        discarded, organisation.logo = organisation.logo, None
        changed.append("logo removed")
    if changed:
        _record(organisation, "details_edited", actor, "changed: " + ", ".join(changed))
    db.session.flush()
    return Edited(changed=changed, discarded_logo=discarded)


def set_founding(
    organisation_id: int, founding: bool, *, seen_status: str, actor: StaffUser
) -> Organisation:
    """Mark or unmark as a founding (initiating) organisation, listed first. Setting it to
    what it already is changes nothing, so a second click never undoes the first."""
    organisation = _take(organisation_id, seen_status, "founding")
    if founding and organisation.status not in FOUNDING_MARKABLE:
        raise NotAllowed(organisation, "founding")
    if organisation.founding != founding:
        organisation.founding = founding
        _record(organisation, "founding_marked" if founding else "founding_unmarked", actor)
    db.session.flush()
    return organisation


def merge(
    organisation_id: int, keep_id: int, *, seen_status: str, actor: StaffUser
) -> Organisation:
    """Fold a duplicate into the organisation kept: the duplicate leaves the list and the
    counts; the kept one stays as it is. Returns the kept organisation."""
    organisation = _take(organisation_id, seen_status, "merge")
    kept = _locked(keep_id) if keep_id != organisation_id else None
    if kept is None or kept.campaign_id != organisation.campaign_id or kept.status not in KEEPABLE:
        raise CannotKeep(keep_id)
    _decided(organisation, OrganisationStatus.MERGED, actor)
    organisation.merged_into = kept
    _record(organisation, "merged", actor, f"into organisation {kept.id}")
    db.session.flush()
    return kept
