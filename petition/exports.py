"""Exports: a campaign's signatures or organisations as CSV or XLSX, streamed.

Every export is audited before its first byte leaves: the filters, the format, the number of
rows and whether email addresses were included, and why. On PostgreSQL the count and the
rows come from one snapshot (a read-only REPEATABLE READ transaction on a connection of the
export's own), so the audited count is exactly what is sent; on SQLite the rows are read in
the transaction that starts right after the audit event commits.

Memory does not grow with the number of rows. On PostgreSQL a CSV is PostgreSQL's own
`COPY (SELECT …) TO STDOUT` of a SELECT that formats every cell as the Python writer does and
puts every cell people typed through `inert_sql`, the SQL twin of `inert_cell` (cells of our
own making, such as ids, dates and enum values, cannot start like a formula whatever the data).
It is relayed in 64 KiB chunks; this is what keeps a million rows within twice the time of a
bare COPY (bench/csv_export.py; writing them row by row in Python takes 12 times as long).
Otherwise, and for XLSX, the rows come through a server-side cursor 2,000 at a time; in a CSV
every cell goes through `inert_cell`. Both ways write the same bytes, and tests hold them to it.
An XLSX cell is written as a string cell, which a spreadsheet never runs as a formula, so it
holds the text exactly as it is, with no apostrophe in front.

Who is in an export: every row the filters match, anonymous signers included (staff moderate
them). A signer is named only as they chose to be shown (`public_name`: in full, as initials,
or not at all), beside the domain of their address; the name as typed, the address and the
city are sealed to the campaign's custodians, who read them on their own machine (`flask
unseal`), so no export can hold them. Representatives' email addresses are left out unless
the exporter asks for them and gives a reason.
"""

from __future__ import annotations

import csv
import enum
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    Text,
    Values,
    case,
    func,
    literal,
    select,
    type_coerce,
    values,
)
from sqlalchemy import column as sa_column
from sqlalchemy.orm import QueryableAttribute

from petition import audit
from petition.cells import FORMULA_STARTS, inert_cell
from petition.countries import country_name, country_names
from petition.database import first_code_point
from petition.extensions import db
from petition.models import (
    Campaign,
    Organisation,
    OrganisationStatus,
    Signature,
    SignatureStatus,
    StaffUser,
)
from petition.models.types import utc_midnight, utcnow
from petition.signing.review import TimeWindow

REASON_MAX_LENGTH = 200
ROWS_PER_FETCH = 2000
CHUNK_BYTES = 64 * 1024
XLSX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, the header row included
MOMENT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # ISO 8601, UTC, to the second
MOMENT_FORMAT_SQL = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'  # the same, for PostgreSQL's to_char
BOM = "\ufeff"  # so that Excel reads the CSV as UTF-8 and shows Cyrillic
FLAG_TEXT = {True: "yes", False: "no"}


class ExportKind(enum.StrEnum):
    SIGNATURES = "signatures"
    ORGANISATIONS = "organisations"


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class AddressesSealed(Exception):
    """Signers' addresses are sealed: the server cannot export them (custodians unseal)."""


class ReasonRequired(ValueError):
    """Email addresses were asked for without a reason."""


class NoSuchCampaign(LookupError):
    """The export names a campaign that does not exist."""


class Cell(enum.Enum):
    """How a column's value becomes the text of a cell."""

    TEXT = "text"  # anything people typed
    CODE = "code"  # our own vocabulary: enum values, language codes
    NUMBER = "number"  # an id
    FLAG = "flag"  # yes / no
    MOMENT = "moment"  # ISO 8601 UTC
    COUNTRY_NAME = "country_name"  # from a country code, in the exporter's language


# Cells that cannot start like a formula whatever the data: they begin with a digit or a
# lower-case letter of our own vocabulary (a test checks every value they can take). In
# Python they go through inert_cell all the same; in SQL the guard is left off them.
INERT_BY_CONSTRUCTION = frozenset({Cell.CODE, Cell.NUMBER, Cell.FLAG, Cell.MOMENT})


@dataclass(frozen=True)
class Column:
    header: str
    expression: ColumnElement[Any] | QueryableAttribute[Any]
    cell: Cell = Cell.TEXT


@dataclass(frozen=True)
class ExportFilter:
    """Which rows of one campaign an export holds. Dates are UTC days, both inclusive."""

    kind: ExportKind
    campaign_id: int
    status: SignatureStatus | OrganisationStatus
    country: str | None = None
    window: TimeWindow = TimeWindow.CREATED
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        expected = SignatureStatus if self.kind is ExportKind.SIGNATURES else OrganisationStatus
        if not isinstance(self.status, expected):
            raise TypeError(f"a {self.kind} export filters by {expected.__name__}")

    def conditions(self) -> list[ColumnElement[bool]]:
        model = _MODELS[self.kind]
        found: list[ColumnElement[bool]] = [
            model.campaign_id == self.campaign_id,
            model.status == self.status,
        ]
        if self.country:
            found.append(model.country == self.country)
        moment = model.confirmed_at if self.window is TimeWindow.CONFIRMED else model.created_at
        if self.date_from:
            found.append(moment >= utc_midnight(self.date_from))
        if self.date_to:
            found.append(moment < utc_midnight(self.date_to + timedelta(days=1)))
        return found

    def describe(self) -> str:
        """For the audit trail."""
        parts = [f"campaign={self.campaign_id}", f"status={self.status.value}"]
        if self.country:
            parts.append(f"country={self.country}")
        if self.date_from or self.date_to:
            since = self.date_from.isoformat() if self.date_from else "…"
            until = self.date_to.isoformat() if self.date_to else "…"
            parts.append(f"{self.window.value} {since}..{until} UTC")
        return ", ".join(parts)


@dataclass(frozen=True)
class ExportRequest:
    filter: ExportFilter
    format: ExportFormat = ExportFormat.CSV
    include_emails: bool = False
    reason: str = ""  # why email addresses are needed; required with them

    def audit_detail(self, row_count: int) -> str:
        emails = f"yes (reason: {self.reason})" if self.include_emails else "no"
        return (
            f"format={self.format.value}; filters={self.filter.describe()}; "
            f"rows={row_count}; emails={emails}"
        )


_MODELS: dict[ExportKind, Any] = {
    ExportKind.SIGNATURES: Signature,
    ExportKind.ORGANISATIONS: Organisation,
}


def columns_for(kind: ExportKind, *, include_emails: bool) -> list[Column]:
    """The columns of an export, in order; a representative's email only when asked for."""
    if kind is ExportKind.SIGNATURES:
        # The name as the signer chose to be shown (none when anonymous); the typed name,
        # the address and the city are sealed, for custodians only (`flask unseal`).
        return [
            Column("id", Signature.id, Cell.NUMBER),
            Column("name", Signature.public_name),
            Column("email_domain", Signature.email_domain),
            Column("country", Signature.country),
            Column("country_name", Signature.country, Cell.COUNTRY_NAME),
            Column("display", Signature.display, Cell.CODE),
            Column("status", Signature.status, Cell.CODE),
            Column("lang", Signature.lang, Cell.CODE),
            Column("created_at", Signature.created_at, Cell.MOMENT),
            Column("confirmed_at", Signature.confirmed_at, Cell.MOMENT),
        ]
    return [
        Column("id", Organisation.id, Cell.NUMBER),
        Column("name", Organisation.name),
        Column("name_original", Organisation.name_original),
        Column("country", Organisation.country),
        Column("country_name", Organisation.country, Cell.COUNTRY_NAME),
        Column("kind", Organisation.kind, Cell.CODE),
        Column("website", Organisation.website),
        Column("listing", Organisation.listing, Cell.CODE),
        Column("status", Organisation.status, Cell.CODE),
        Column("founding", Organisation.founding, Cell.FLAG),
        Column("rep_name", Organisation.rep_name),
        Column("rep_role", Organisation.rep_role),
        *([Column("rep_email", Organisation.rep_email)] if include_emails else []),
        Column("lang", Organisation.lang, Cell.CODE),
        Column("created_at", Organisation.created_at, Cell.MOMENT),
        Column("confirmed_at", Organisation.confirmed_at, Cell.MOMENT),
        Column("reviewed_at", Organisation.reviewed_at, Cell.MOMENT),
    ]


# --- cells, in Python -------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)  # a StrEnum's str() is its value


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime(MOMENT_FORMAT)


def _formatter(cell: Cell, lang: str) -> Callable[[Any], str]:
    if cell is Cell.NUMBER:
        return str
    if cell is Cell.FLAG:
        return lambda value: FLAG_TEXT[bool(value)]
    if cell is Cell.MOMENT:
        return _moment
    if cell is Cell.COUNTRY_NAME:
        return lambda code: country_name(code, lang)
    return _text


# --- cells, in PostgreSQL's SQL -----------------------------------------------------------


def inert_sql(text: ColumnElement[str]) -> ColumnElement[str]:
    """`inert_cell` in SQL: an apostrophe in front of a value that starts like a formula."""
    starts = [ord(start) for start in FORMULA_STARTS]
    return case(
        (first_code_point(text).in_(starts), literal("'", String) + text),
        else_=text,
    )


def csv_writer(buffer: io.StringIO) -> Any:
    """Every field quoted, rows ended by a line feed: what PostgreSQL's
    `COPY … (FORMAT csv, FORCE_QUOTE *)` writes, so that both ways give the same bytes."""
    return csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")


def _cell_sql(column: Column, country_names_table: Values) -> ColumnElement[Any]:
    """The column's cell, formatted in SQL as `_formatter` does it and made inert unless it
    is inert by construction; never NULL (COPY would write NULL unquoted)."""
    value = column.expression
    if column.cell is Cell.NUMBER:
        return value  # type: ignore[return-value]
    if column.cell is Cell.FLAG:
        return case((value, FLAG_TEXT[True]), else_=FLAG_TEXT[False])
    if column.cell is Cell.MOMENT:
        formatted = func.to_char(func.timezone("UTC", value), MOMENT_FORMAT_SQL, type_=Text)
        return func.coalesce(formatted, "", type_=Text)
    text: ColumnElement[str]
    if column.cell is Cell.COUNTRY_NAME:
        text = func.coalesce(country_names_table.c.name, value, type_=Text)
    else:
        text = func.coalesce(type_coerce(value, Text), "", type_=Text)
    return text if column.cell in INERT_BY_CONSTRUCTION else inert_sql(text)


def _country_names_table(lang: str) -> Values:
    return values(sa_column("code", String), sa_column("name", String), name="country_names").data(
        list(country_names(lang).items())
    )


def _plain(value: Any) -> Any:
    """A bound value as the driver takes it: enums by their stored value."""
    return value.value if isinstance(value, enum.Enum) else value


# --- the export -----------------------------------------------------------------------------


class Stream:
    """Byte chunks for a response body that release what they hold (a connection, a temporary
    file) when read to the end or closed, even when nobody ever started reading them."""

    def __init__(self, chunks: Iterator[bytes], release: Callable[[], None]) -> None:
        self._chunks = chunks
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Stream:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        release, self._release = self._release, None
        if release is None:
            return
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            release()


class Export:
    """A counted and audited export, to be written once: as CSV or XLSX."""

    def __init__(
        self,
        request: ExportRequest,
        *,
        campaign_slug: str,
        row_count: int,
        snapshot: Connection | None,
        lang: str,
    ) -> None:
        self.request = request
        self.campaign_slug = campaign_slug
        self.row_count = row_count
        self.columns = columns_for(request.filter.kind, include_emails=request.include_emails)
        self._snapshot = snapshot
        self._session_used = False
        self._closed = False
        self._lang = lang

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def filename(self, now: datetime | None = None) -> str:
        stamp = (now or utcnow()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        kind = self.request.filter.kind.value
        return f"{kind}-{self.campaign_slug}-{stamp}.{self.request.format.value}"

    def close(self) -> None:
        """End the reading transaction (reading to the end does it too); safe to repeat."""
        if self._closed:
            return
        self._closed = True
        if self._snapshot is not None:
            self._snapshot.close()
        elif self._session_used:
            db.session.rollback()

    def _reader(self) -> Connection:
        """The snapshot the rows were counted in (PostgreSQL); else, on SQLite, the session's
        connection when reading starts: a second connection would wait for the first's lock,
        and under Flask's stream_with_context the session of the view is already gone."""
        if self._closed:
            raise RuntimeError("this export has been written already")
        if self._snapshot is not None:
            return self._snapshot
        self._session_used = True
        return db.session.connection()

    def _statement(
        self, expressions: Sequence[ColumnElement[Any] | QueryableAttribute[Any]]
    ) -> Select[Any]:
        model = _MODELS[self.request.filter.kind]
        return select(*expressions).where(*self.request.filter.conditions()).order_by(model.id)

    # rows through a server-side cursor

    def rows(self) -> Iterator[list[str]]:
        """Every row as the text of its cells, fetched 2,000 at a time. Not yet inert: the
        CSV writer guards each cell, the XLSX writer writes each as a string cell."""
        formatters = [_formatter(column.cell, self._lang) for column in self.columns]
        statement = self._statement([column.expression for column in self.columns])
        result = self._reader().execute(statement.execution_options(yield_per=ROWS_PER_FETCH))
        try:
            for row in result:
                yield [fmt(value) for fmt, value in zip(formatters, row, strict=True)]
        finally:
            result.close()

    def csv_rows_chunks(self) -> Iterator[bytes]:
        """The CSV written in Python, row by row: a BOM, the header, then the rows, every
        cell through `inert_cell`."""
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        buffer.write(BOM)
        writer.writerow(self.headers)
        for row in self.rows():
            writer.writerow([inert_cell(cell) for cell in row])
            if buffer.tell() >= CHUNK_BYTES:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    # PostgreSQL writes the CSV itself

    def csv_copy_chunks(self) -> Iterator[bytes]:
        """The CSV written by PostgreSQL's COPY from a SELECT that formats and neutralises
        every cell in SQL; the same bytes as `csv_rows_chunks`."""
        model = _MODELS[self.request.filter.kind]
        names = _country_names_table(self._lang)
        statement = (
            select(*[_cell_sql(column, names) for column in self.columns])
            .select_from(model)
            .outerjoin(names, names.c.code == model.country)
            .where(*self.request.filter.conditions())
            .order_by(model.id)
        )
        reader = self._reader()
        compiled = statement.compile(
            dialect=reader.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = {name: _plain(value) for name, value in compiled.params.items()}
        copy_sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"
        head = io.StringIO()
        csv_writer(head).writerow(self.headers)
        buffer = bytearray((BOM + head.getvalue()).encode())
        cursor = reader.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(copy_sql, params) as copy:
                for data in copy:
                    buffer += data
                    if len(buffer) >= CHUNK_BYTES:
                        yield bytes(buffer)
                        buffer.clear()
        finally:
            cursor.close()
        yield bytes(buffer)

    def csv_chunks(self) -> Iterator[bytes]:
        """The CSV, the fastest way the database allows."""
        if self._snapshot is not None:
            return self.csv_copy_chunks()
        return self.csv_rows_chunks()

    def csv_stream(self) -> Stream:
        return Stream(self.csv_chunks(), self.close)

    # XLSX: built in a temporary file in constant memory, then sent

    def write_xlsx(self, path: Path) -> None:
        """Write the workbook to `path`, one sheet per million rows; every cell a string
        cell (never a formula) holding the text as it is."""
        workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "in_memory": False,
                "tmpdir": str(path.parent),
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        bold = workbook.add_format({"bold": True})
        kind = self.request.filter.kind.value
        sheet: Any = None
        line = XLSX_SHEET_ROWS
        sheets = 0

        def start_sheet() -> Any:
            nonlocal sheets
            sheets += 1
            started = workbook.add_worksheet(kind if sheets == 1 else f"{kind} {sheets}")
            started.freeze_panes(1, 0)
            for index, header in enumerate(self.headers):
                started.write_string(0, index, header, bold)
            return started

        try:
            for row in self.rows():
                if line == XLSX_SHEET_ROWS:
                    sheet, line = start_sheet(), 1
                for index, value in enumerate(row):
                    sheet.write_string(line, index, value)
                line += 1
            if sheet is None:
                start_sheet()
        finally:
            workbook.close()

    def xlsx_stream(self) -> Stream:
        """Build the workbook now (reading every row), then stream the file and delete it."""
        folder = Path(tempfile.mkdtemp(prefix="export-"))  # private: mode 0700
        path = folder / "export.xlsx"
        try:
            self.write_xlsx(path)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            self.close()
        handle = path.open("rb")

        def release() -> None:
            handle.close()
            shutil.rmtree(folder, ignore_errors=True)

        return Stream(iter(lambda: handle.read(CHUNK_BYTES), b""), release)

    def stream(self) -> Stream:
        if self.request.format is ExportFormat.XLSX:
            return self.xlsx_stream()
        return self.csv_stream()


def _count(connection: Connection | None, request: ExportRequest) -> int:
    model = _MODELS[request.filter.kind]
    statement = select(func.count()).select_from(model).where(*request.filter.conditions())
    found = connection.scalar(statement) if connection else db.session.scalar(statement)
    return int(found or 0)


def start_export(request: ExportRequest, *, actor: StaffUser, lang: str) -> Export:
    """Count the rows, record the export in the audit trail and commit it, and return the
    export ready to stream those rows. Raises AddressesSealed (signers' addresses asked for),
    ReasonRequired and NoSuchCampaign."""
    if request.include_emails and request.filter.kind is ExportKind.SIGNATURES:
        raise AddressesSealed
    if request.include_emails and not request.reason.strip():
        raise ReasonRequired
    campaign = db.session.get(Campaign, request.filter.campaign_id)
    if campaign is None:
        raise NoSuchCampaign(request.filter.campaign_id)
    slug = campaign.slug
    snapshot: Connection | None = None
    if db.engine.dialect.name == "postgresql":
        # The count takes the snapshot; the rows are read from it after the audit commits.
        snapshot = db.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    try:
        row_count = _count(snapshot, request)
        audit.record(
            f"export.{request.filter.kind.value}",
            actor=actor,
            object_type="campaign",
            object_id=request.filter.campaign_id,
            detail=request.audit_detail(row_count),
        )
        db.session.commit()
    except BaseException:
        if snapshot is not None:
            snapshot.close()
        raise
    return Export(request, campaign_slug=slug, row_count=row_count, snapshot=snapshot, lang=lang)
