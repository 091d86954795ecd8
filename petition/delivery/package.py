"""Building a delivery package: one folder per campaign, target and cut-off.

The files are written into a hidden sibling folder and renamed into place only when all
of them and the manifest exist, so a folder with the package's name is always complete.
The `DeliveryPackage` row and its audit event are added to the session; the caller
commits them (or rolls them back) with the rest of its transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from petition import audit
from petition.delivery import annexes, letters, records, summary
from petition.delivery.pdf import Fonts, FontsMissing, package_fonts
from petition.delivery.records import CountryTally, Totals
from petition.delivery.wording import Wording, package_language, wording
from petition.extensions import db
from petition.models import (
    Campaign,
    DeliveryPackage,
    NamesPolicy,
    PackageStatus,
    StaffUser,
    Target,
)
from petition.models.types import utcnow
from petition.signing.legacy import legacy_count

LETTER_PDF = "cover_letter.pdf"
LETTER_DOCX = "cover_letter.docx"
ORGANISATIONS_PDF = "annex_organisations.pdf"
INDIVIDUALS_PDF = "annex_individuals.pdf"
INDIVIDUALS_CSV = "annex_individuals.csv"
INDIVIDUALS_XLSX = "annex_individuals.xlsx"
SUMMARY_PDF = "summary.pdf"
MANIFEST = "manifest.json"
FILES = (
    LETTER_PDF,
    LETTER_DOCX,
    ORGANISATIONS_PDF,
    INDIVIDUALS_PDF,
    INDIVIDUALS_CSV,
    INDIVIDUALS_XLSX,
    SUMMARY_PDF,
)
# A party that receives no names gets no annex: the summary has its totals and countries.
COUNTED_FILES = (LETTER_PDF, LETTER_DOCX, SUMMARY_PDF)
FOLDER_LIMIT = 200  # DeliveryPackage.folder's length

Progress = Callable[[int], None]


class PackageError(Exception):
    """A package cannot be built as asked (its folder exists, the cut-off is naive, …)."""


@dataclass(frozen=True)
class Build:
    """Everything one build needs to know, worked out once."""

    campaign: Campaign
    target: Target
    policy: NamesPolicy  # the target's, read once: every file follows the same one
    cutoff: datetime
    lang: str
    words: Wording
    fonts: Fonts
    heading: str
    reference: str  # the package's reference number
    folder: Path


def package_files(policy: NamesPolicy) -> tuple[str, ...]:
    return FILES if policy is NamesPolicy.NAMED else COUNTED_FILES


def folder_name(campaign: Campaign, target: Target, cutoff: datetime) -> str:
    """`<slug>-<target id>-<cut-off as yyyymmddThhmmss, UTC>`."""
    return f"{campaign.slug}-{target.id}-{cutoff.astimezone(UTC):%Y%m%dT%H%M%S}"


def reference_number(campaign: Campaign, target: Target, cutoff: datetime) -> str:
    """The package's reference, e.g. PF-7-20261202-120000: the campaign's initials, the
    target and the cut-off, which name the package (its folder) as its database id cannot:
    a rebuild for the same cut-off carries the same reference, so gives the same bytes."""
    initials = "".join(part[0] for part in campaign.slug.split("-") if part).upper()
    return f"{initials}-{target.id}-{cutoff.astimezone(UTC):%Y%m%d-%H%M%S}"


def letter_language(campaign: Campaign, target: Target) -> str:
    """The language a package is written in: the party's, when there is a wording for it
    and the campaign has its text in it; else English. A package is in one language: never
    a Turkish letter around an English appeal."""
    lang = package_language(target.lang)
    return lang if lang in campaign.texts else "en"


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def build_package(
    campaign: Campaign,
    target: Target,
    *,
    cutoff: datetime,
    out_dir: Path | str,
    actor: StaffUser | None = None,
    progress: Progress | None = None,
) -> DeliveryPackage:
    """Write the package for `target` into a new folder under `out_dir`; record it.

    Counts signatures confirmed strictly before `cutoff` (timezone-aware). Raises
    `FontsMissing` or `PackageError` before writing anything when it cannot be built; on
    any failure the record is left FAILED with the error, for the caller to keep or not.
    """
    package = new_package(campaign, target, cutoff, actor, PackageStatus.BUILDING)
    db.session.flush()
    write_package(package, Path(out_dir), actor=actor, progress=progress)
    return package


def new_package(
    campaign: Campaign,
    target: Target,
    cutoff: datetime,
    actor: StaffUser | None,
    status: PackageStatus,
) -> DeliveryPackage:
    """The record of a package for `target` up to `cutoff`, added to the session."""
    if cutoff.tzinfo is None:
        raise PackageError("the cut-off must be timezone-aware (UTC)")
    package = DeliveryPackage(
        campaign=campaign,
        target=target,
        names_policy=target.names_policy,
        cutoff_at=cutoff,
        status=status,
        progress=0,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(package)
    return package


def find_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise PackageError(f"no campaign with the slug {slug!r}")
    return campaign


def pick_targets(campaign: Campaign, choice: str) -> list[Target]:
    """The campaign's targets for `choice`: a target's id, or "all" of them."""
    attached = list(campaign.targets)
    if choice == "all":
        if not attached:
            raise PackageError(f"campaign {campaign.slug!r} addresses no target yet")
        return attached
    chosen = [target for target in attached if str(target.id) == choice.strip()]
    if not chosen:
        known = ", ".join(f"{target.id} ({target.name})" for target in attached) or "none"
        raise PackageError(
            f"{choice!r} is not a target of campaign {campaign.slug!r}; "
            f"its targets are: {known}; or use 'all'"
        )
    return chosen


def write_package(
    package: DeliveryPackage,
    out_dir: Path,
    *,
    actor: StaffUser | None = None,
    progress: Progress | None = None,
) -> None:
    """Build the files of a recorded package (new, or queued for the worker), fill in its
    record (counts, hashes, folder, status READY) and audit it. The target's names policy
    is read now, not when the package was queued: a party made `counted` meanwhile gets no names.

    `progress` hears the percentage as the build goes; the record itself is only touched
    at the end, so reporting progress through another connection cannot wait on this one.
    """
    try:
        build = _prepare(package.campaign, package.target, package.cutoff_at, out_dir)
    except Exception as error:
        _failed(package, error)
        raise

    def report(percent: int) -> None:
        if progress is not None:
            progress(percent)

    partial = out_dir / f".{build.folder.name}.partial-{secrets.token_hex(4)}"
    partial.mkdir(parents=True)
    try:
        totals = _write_files(build, partial, report)
        hashes = {name: sha256_of(partial / name) for name in package_files(build.policy)}
        generated_at = utcnow().astimezone(UTC)
        manifest = _manifest(build, totals, hashes, actor, generated_at)
        (partial / MANIFEST).write_bytes(manifest)
        partial.rename(build.folder)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        _failed(package, error)
        raise
    package.names_policy = build.policy
    package.counts = totals.as_dict()
    package.files = hashes
    package.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
    package.folder = str(build.folder)
    package.generated_at = generated_at
    package.status = PackageStatus.READY
    package.progress = 100
    package.error = None
    _audit(package, actor)
    report(100)


def _audit(package: DeliveryPackage, actor: StaffUser | None) -> None:
    audit.record(
        "delivery.package_built",
        actor=actor,
        object_type="delivery_package",
        object_id=package.id,
        detail=(
            f"target={package.target_id} cutoff={package.cutoff_at.isoformat()} "
            f"names_policy={package.names_policy.value} "
            f"individuals={package.counts['individuals']} "
            f"organisations={package.counts['organisations']} "
            f"paper={package.counts['paper']} "
            f"manifest={package.manifest_sha256}"
        ),
    )


def failure_reason(error: BaseException) -> str:
    """What may be kept and shown of a failure: our own errors name only paths and slugs;
    any other error's message could quote data (a name in a layout error), so only its type.
    """
    if isinstance(error, PackageError | FontsMissing):
        return str(error)[:500]
    return f"{type(error).__name__} (details in the server's log)"


def _failed(package: DeliveryPackage, error: BaseException) -> None:
    package.status = PackageStatus.FAILED
    package.error = failure_reason(error)


def _prepare(campaign: Campaign, target: Target, cutoff: datetime, out_dir: Path) -> Build:
    if cutoff.tzinfo is None:
        raise PackageError("the cut-off must be timezone-aware (UTC)")
    cutoff = cutoff.astimezone(UTC)
    fonts = package_fonts()
    folder = out_dir.resolve() / folder_name(campaign, target, cutoff)
    if folder.exists():
        raise PackageError(f"{folder} exists already: a package is never overwritten")
    if len(str(folder)) > FOLDER_LIMIT:
        raise PackageError(f"{folder} is longer than {FOLDER_LIMIT} characters")
    if unsealed := legacy_count(campaign):
        # They have no shown name yet: the package would drop them from its lists unsaid.
        raise PackageError(
            f"{unsealed} signature(s) of {campaign.slug!r} are from before sealing: "
            f"run `flask --app petition keys seal-existing {campaign.slug}` first"
        )
    lang = letter_language(campaign, target)
    heading = f"{campaign.text(lang).title} — {letters.addressee(target)}"
    policy, words = target.names_policy, wording(lang)
    reference = words.reference.format(ref=reference_number(campaign, target, cutoff))
    return Build(campaign, target, policy, cutoff, lang, words, fonts, heading, reference, folder)


def _write_files(build: Build, folder: Path, report: Progress) -> Totals:
    campaign_id, cutoff, lang = build.campaign.id, build.cutoff, build.lang
    report(1)
    common: dict[str, Any] = {
        "fonts": build.fonts,
        "words": build.words,
        "lang": lang,
        "heading": build.heading,
        "reference": build.reference,
        "when": cutoff,
    }
    if build.policy is NamesPolicy.NAMED:
        countries = _write_individuals(build, folder, report)
        organisations = records.listed_organisations(campaign_id, cutoff)
        unnamed = records.unnamed_organisations(campaign_id, cutoff)
        annexes.write_organisations(folder / ORGANISATIONS_PDF, organisations, unnamed, **common)
    else:
        countries = records.counted_by_country(campaign_id, cutoff, lang)
        organisations, unnamed = [], records.organisation_count(campaign_id, cutoff)
    totals = Totals.of(countries, len(organisations), unnamed)
    report(85)
    summary.write_summary(
        folder / SUMMARY_PDF,
        totals=totals,
        countries=countries,
        organisations=organisations,
        per_day=records.confirmed_per_day(campaign_id, cutoff),
        policy=build.policy,
        **common,
    )
    report(92)
    letter = letters.compose_letter(
        build.campaign,
        build.target,
        totals=totals,
        policy=build.policy,
        lang=lang,
        words=build.words,
        reference=build.reference,
        when=cutoff,
    )
    letters.write_letter_pdf(letter, folder / LETTER_PDF, fonts=build.fonts, when=cutoff)
    letters.write_letter_docx(letter, folder / LETTER_DOCX, when=cutoff)
    report(98)
    return totals


def _write_individuals(build: Build, folder: Path, report: Progress) -> list[CountryTally]:
    campaign_id, cutoff, words = build.campaign.id, build.cutoff, build.words
    countries = records.signature_countries(campaign_id, cutoff, build.lang)
    sinks: list[annexes.NamesSink] = [
        annexes.NamesCsv(folder / INDIVIDUALS_CSV, words, build.lang),
        annexes.NamesXlsx(
            folder / INDIVIDUALS_XLSX,
            words,
            build.lang,
            title=words.annex_individuals,
            when=cutoff,
        ),
        annexes.NamesPdf(
            folder / INDIVIDUALS_PDF,
            fonts=build.fonts,
            words=words,
            lang=build.lang,
            heading=build.heading,
            reference=build.reference,
            when=cutoff,
        ),
    ]
    with annexes.Sinks(sinks):
        annexes.write_individuals(
            sinks,
            countries,
            lambda tally: records.shown_names(campaign_id, cutoff, tally),
            progress=lambda done, total: report(1 + 79 * done // max(total, 1)),
        )
    return countries


def _manifest(
    build: Build,
    totals: Totals,
    hashes: dict[str, str],
    actor: StaffUser | None,
    generated_at: datetime,
) -> bytes:
    text = build.campaign.text(build.lang)
    manifest = {
        "campaign": {"slug": build.campaign.slug, "title": text.title},
        "target": {"id": build.target.id, "name": build.target.name, "lang": build.target.lang},
        "language": build.lang,
        "names_policy": build.policy.value,
        "reference": reference_number(build.campaign, build.target, build.cutoff),
        "cutoff": build.cutoff.isoformat(),
        "generated_at": generated_at.isoformat(),
        "generated_by": f"staff:{actor.id} ({actor.role.value})" if actor else "command line",
        "counts": totals.as_dict(),
        "files": hashes,
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
