"""Exports for staff: choose the rows and the format, then download the file as it is written."""

from __future__ import annotations

from flask import Response, abort, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user

from petition.exports import Export, ExportFormat, ExportKind, NoSuchCampaign, start_export
from petition.i18n import current_language
from petition.staff.blueprint import bp
from petition.staff.exports.forms import ExportForm
from petition.staff.permissions import Permission, require

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _kind(value: str | None) -> ExportKind:
    try:
        return ExportKind(value or ExportKind.SIGNATURES.value)
    except ValueError:
        abort(404)


def _render(form: ExportForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/exports/index.html", form=form, kind=form.export_kind, kinds=ExportKind
    ), status


@bp.get("/exports")
@require(Permission.EXPORT)
def exports() -> ResponseReturnValue:
    kind = _kind(request.args.get("kind"))
    return _render(ExportForm(formdata=None, kind=kind, lang=current_language()))


@bp.post("/exports/download")
@require(Permission.EXPORT)
def exports_download() -> ResponseReturnValue:
    lang = current_language()
    form = ExportForm(kind=_kind(request.form.get("kind")), lang=lang)
    if not form.validate_on_submit():
        return _render(form, 422)
    try:
        export = start_export(form.export_request(), actor=current_user, lang=lang)
    except NoSuchCampaign:
        abort(404)
    return _download(export)


def _download(export: Export) -> Response:
    """The export streamed as an uncached attachment, its rows read as they are sent."""
    body = export.stream()
    content_type = CONTENT_TYPES[export.request.format]
    response = Response(stream_with_context(body), content_type=content_type)
    response.call_on_close(body.close)  # also when the body is never read (HEAD, a hang-up)
    response.headers.set("Content-Disposition", "attachment", filename=export.filename())
    response.headers["Cache-Control"] = "no-store"
    return response
