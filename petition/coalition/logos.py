"""Organisation logos: hostile input until Pillow has decoded it and we have re-drawn it.

An upload is never stored or served as sent. It must be a PNG, JPEG or WebP by its content
(its name and declared type are the sender's word, not evidence), small in bytes and in
pixels, still, and complete. We then copy only its pixels into a new image, shrink that and
encode it as PNG ourselves, so no metadata (EXIF with GPS, ICC, text chunks), trailing
bytes or polyglot payload can reach a visitor.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import struct
import tempfile
from contextlib import suppress
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import event
from sqlalchemy.orm import Session

from petition.extensions import db

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4_000
OUTPUT_SIDE = 400
NAME_PATTERN = re.compile(r"[0-9a-f]{32}\.png")

# Signature checks that run before Pillow sees the bytes, so a file is only ever parsed by
# the one decoder its content claims, never by Pillow's guess among dozens of formats.
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# Pillow reports a JPEG that carries an MPF index (phone HDR gain maps, depth maps) as MPO.
_ACCEPTED_FORMATS = {"PNG": {"PNG"}, "JPEG": {"JPEG", "MPO"}, "WEBP": {"WEBP"}}
# What Pillow's decoders raise on broken or hostile input (fuzzing has seen all of them).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)

NOT_AN_ACCEPTED_FORMAT = _l("Please upload a PNG, JPEG or WebP image.")
TOO_MANY_BYTES = _l("The image is larger than 2 MB.")
TOO_MANY_PIXELS = _l("The image is larger than 4,000 × 4,000 pixels.")
ANIMATED = _l("Animated images are not accepted.")
UNREADABLE = _l("This file could not be read as an image.")


class LogoRejected(Exception):
    """An upload we refuse; `message` is translated, for the person who sent it."""

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message


def process_logo(data: bytes) -> bytes:
    """A clean PNG, at most 400 px on its longest side, drawn from the upload's pixels only.

    Raises LogoRejected with a message that says what is wrong with the upload.
    """
    if len(data) > MAX_BYTES:
        raise LogoRejected(TOO_MANY_BYTES)
    image = _open_checked(data, _format_by_signature(data))
    try:
        if image.format in _ACCEPTED_FORMATS["JPEG"]:
            # Let libjpeg decode at 1/2 to 1/8 scale: a 4,000 px photo then costs 1 MB, not
            # 48 MB. It still reads every byte, so a truncated file still fails.
            image.draft(None, (OUTPUT_SIDE, OUTPUT_SIDE))
        image.load()  # the whole file: a truncated or corrupt one fails here, not later
        ImageOps.exif_transpose(image, in_place=True)  # keep a photo upright once EXIF is gone
        pixels = _redraw(image)
    except _DECODE_ERRORS as error:
        raise LogoRejected(UNREADABLE) from error
    finally:
        image.close()
    return _encode_png(pixels)


def _format_by_signature(data: bytes) -> str:
    """Which decoder may look at these bytes, by their first bytes alone."""
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    if data.startswith(_JPEG_MAGIC):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise LogoRejected(NOT_AN_ACCEPTED_FORMAT)


def _open_checked(data: bytes, expected: str) -> Image.Image:
    """Open with only the expected decoder and check what the header declares, before any
    pixel is decoded: the declared size decides how much memory decoding would take."""
    try:
        image = Image.open(io.BytesIO(data), formats=[expected])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own global guard (far above our limit) tripped first; the warning is an
        # exception only when someone has turned warnings into errors.
        raise LogoRejected(TOO_MANY_PIXELS) from error
    except _DECODE_ERRORS as error:
        raise LogoRejected(UNREADABLE) from error
    try:
        _check_header(image, expected)
    except LogoRejected:
        image.close()
        raise
    return image


def _check_header(image: Image.Image, expected: str) -> None:
    """Our limits, checked even if Image.MAX_IMAGE_PIXELS has been disabled elsewhere."""
    if image.format not in _ACCEPTED_FORMATS[expected]:
        raise LogoRejected(UNREADABLE)
    if image.width > MAX_SIDE or image.height > MAX_SIDE:
        raise LogoRejected(TOO_MANY_PIXELS)
    # An MPO's extra frames are a gain or depth map, not animation; we keep the first only.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise LogoRejected(ANIMATED)


def _redraw(image: Image.Image) -> Image.Image:
    """A new image holding only pixels: convert() and resize() copy `info` (EXIF, ICC,
    text chunks), so the result is rebuilt from raw bytes and carries nothing else."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    mode = "RGBA" if image.has_transparency_data else "RGB"
    converted = image.convert(mode)
    converted.thumbnail((OUTPUT_SIDE, OUTPUT_SIDE), Image.Resampling.LANCZOS)  # never enlarges
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode_png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def logo_folder() -> Path:
    """Where stored logos live: LOGO_FOLDER, or `logos/` in the instance folder.

    Always absolute: a relative LOGO_FOLDER is taken inside the instance folder, because
    writing would resolve it from the working directory and send_from_directory from the
    app's root, and the two must be the same place.
    """
    instance = Path(current_app.instance_path)
    return instance / (current_app.config.get("LOGO_FOLDER") or "logos")


def is_logo_name(name: str) -> bool:
    """Only names we could have made; fullmatch, because `$` would also accept a final
    newline."""
    return NAME_PATTERN.fullmatch(name) is not None


def store_logo(data: bytes) -> str:
    """Process an upload and store the result under a new random name, which it returns.

    Processing happens here, not only in the caller, so no code path can store an upload as
    sent; processing an already processed logo again is cheap and changes nothing that
    matters. Raises LogoRejected, and then nothing is written.
    """
    clean = process_logo(data)
    folder = logo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.png"
    _write_atomically(folder, name, clean)
    return name


def _write_atomically(folder: Path, name: str, content: bytes) -> None:
    """Readers see the whole file or none of it, never a half-written logo."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def delete_logo(name: str) -> None:
    """Remove a stored logo; one already gone is fine. A name we could not have made is a
    bug or tampering, so it raises ValueError before any path is built from it."""
    if not is_logo_name(name):
        raise ValueError("not a logo name")
    with suppress(FileNotFoundError):
        (logo_folder() / name).unlink()


def delete_logo_after_commit(name: str) -> None:
    """Delete a logo no row refers to any more, once that change commits; if it rolls back
    the file stays, so a row never points at a deleted file."""
    db.session.info.setdefault(_DISCARDED, set()).add(name)


def _delete_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the change is not in yet
        return
    discarded = session.info.pop(_DISCARDED, ())
    if discarded and has_app_context():
        for name in discarded:
            delete_logo(name)


def _keep_after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint undone: the outer change may commit
        return
    session.info.pop(_DISCARDED, None)


_DISCARDED = "petition.discarded_logos"
event.listen(Session, "after_commit", _delete_after_commit)
event.listen(Session, "after_rollback", _keep_after_rollback)
