"""Logos are hostile input: only clean, still PNG/JPEG/WebP pixels are stored and served.

Every sample is made here, with Pillow or by hand, so no binary file sits in the repository.

Polyglots: a file is judged by its first bytes and then by the one decoder they name. A GIF
that is also JavaScript, or HTML wrapped around an image, is refused. A complete PNG or JPEG
with something else appended (HTML, a ZIP) or hidden in its metadata (a JPEG comment, a PNG
text chunk) is accepted, because nothing of the upload is kept but its decoded pixels: the
stored file is a new PNG that we encoded, and the tests check that it is byte for byte the
one the same pixels give without the payload.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from petition.coalition import logos
from petition.coalition.logo_views import bp as logos_bp
from petition.coalition.logos import LogoRejected, delete_logo, process_logo, store_logo

FORMAT = "Please upload a PNG, JPEG or WebP image."
BYTES = "The image is larger than 2 MB."
PIXELS = "The image is larger than 4,000 × 4,000 pixels."
ANIMATED = "Animated images are not accepted."
UNREADABLE = "This file could not be read as an image."

SECRET = "SECRET-MARKER-7f3a"
SCRIPT = b"<script>alert(document.cookie)</script>"


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"LOGO_FOLDER": str(tmp_path / "logos")}


@pytest.fixture
def folder(app: Flask) -> Path:
    return Path(app.config["LOGO_FOLDER"])


# --- making samples ---------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    output = io.BytesIO()
    image.save(output, format=fmt, **options)
    return output.getvalue()


def picture(size: tuple[int, int] = (120, 80), mode: str = "RGB") -> Image.Image:
    """Not a flat colour, so resizing and lossy codecs have something to work on."""
    gradient = Image.linear_gradient("L").resize(size)
    channels = {"RGB": 3, "RGBA": 4}[mode]
    bands = [gradient, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM), gradient][:channels]
    if mode == "RGBA":
        bands.append(gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    return Image.merge(mode, bands)


def noise(size: tuple[int, int]) -> Image.Image:
    """Incompressible pixels: the scan data fills most of the file, so cutting it hurts."""
    return Image.frombytes("RGB", size, bytes(range(256)) * (size[0] * size[1] * 3 // 256))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def chunk_types(png: bytes) -> list[str]:
    """The chunk names of a PNG, in order; also proves nothing follows IEND."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    position, kinds = 8, []
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kinds.append(png[position + 4 : position + 8].decode("ascii"))
        position += 12 + length
    assert position == len(png)
    assert kinds[-1] == "IEND"
    return kinds


def png_bomb(width: int, height: int) -> bytes:
    """A real, complete 1-bit PNG of one colour: tiny on disk, huge once decoded."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def png_with_alpha() -> bytes:
    return encode(picture(mode="RGBA"), "PNG")


def jpeg_with_metadata(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = SECRET
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (50.0, 27.0, 1.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (30.0, 31.0, 2.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(picture((200, 100)), "JPEG", exif=exif, icc_profile=icc, comment=SCRIPT)


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue", "green")]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def png_with_ztxt_bomb() -> bytes:
    """A text chunk that inflates from a few kB to 64 MB, placed before the pixels."""
    png = encode(picture(), "PNG")
    payload = b"Comment\x00\x00" + zlib.compress(b"A" * (64 * 1024 * 1024), 9)
    return png[:33] + png_chunk(b"zTXt", payload) + png[33:]


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "svg with script": (
        lambda: (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10">' + SCRIPT + b"</svg>"
        ),
        FORMAT,
    ),
    "png bomb 30000x30000": (lambda: png_bomb(30_000, 30_000), PIXELS),
    "png just too wide": (lambda: png_bomb(4_001, 1), PIXELS),
    "png just too tall": (lambda: png_bomb(1, 4_001), PIXELS),
    "png with ztxt bomb": (png_with_ztxt_bomb, UNREADABLE),
    "truncated jpeg": (
        lambda: truncated(encode(noise((256, 256)), "JPEG", quality=95)),
        UNREADABLE,
    ),
    "truncated large jpeg": (
        lambda: truncated(encode(picture((4_000, 2_000)), "JPEG", quality=95)),
        UNREADABLE,
    ),
    "truncated png": (lambda: truncated(encode(noise((256, 256)), "PNG")), UNREADABLE),
    "truncated webp": (lambda: truncated(encode(noise((256, 256)), "WEBP")), UNREADABLE),
    "gif": (lambda: encode(picture(), "GIF"), FORMAT),
    "bmp": (lambda: encode(picture(), "BMP"), FORMAT),
    "tiff": (lambda: encode(picture(), "TIFF"), FORMAT),
    "ico": (lambda: encode(picture((32, 32)), "ICO"), FORMAT),
    "html": (lambda: b"<!doctype html><html><body>" + SCRIPT + b"</body></html>", FORMAT),
    "gif that is javascript": (
        lambda: b"GIF89a/*" + encode(picture(), "GIF")[8:] + b"*/=1;alert(1);",
        FORMAT,
    ),
    "html with an image inside": (lambda: b"<html>" + encode(picture(), "PNG"), FORMAT),
    "html behind a png signature": (lambda: b"\x89PNG\r\n\x1a\n<html>" + SCRIPT, UNREADABLE),
    "jpeg signature then garbage": (lambda: b"\xff\xd8\xff\xe0" + b"garbage" * 50, UNREADABLE),
    "webp container then garbage": (
        lambda: b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x00" * 60,
        UNREADABLE,
    ),
    "png named like jpeg inside": (lambda: encode(picture(), "PNG")[:8] + b"\xff\xd8", UNREADABLE),
    "animated png": (lambda: animated("PNG"), ANIMATED),
    "animated webp": (lambda: animated("WEBP"), ANIMATED),
    "10 MB file": (lambda: encode(picture(), "PNG") + b"\x00" * (10 * 1024 * 1024), BYTES),
    "one byte too many": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024 - 7), BYTES),
    "text file named .png": (lambda: b"This is not a picture, whatever its name says.\n", FORMAT),
    "empty file": (lambda: b"", FORMAT),
}


# --- accepted -----------------------------------------------------------------------------


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_png_with_alpha_keeps_its_transparency_and_is_not_enlarged():
    original = picture(mode="RGBA")
    result = decoded(process_logo(png_with_alpha()))
    assert result.format == "PNG"
    assert result.mode == "RGBA"
    assert result.size == (120, 80)
    assert result.getpixel((10, 10)) == original.getpixel((10, 10))


def test_jpeg_loses_exif_gps_icc_and_comments():
    data = jpeg_with_metadata()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it had GPS

    result = process_logo(data)

    image = decoded(result)
    assert image.mode == "RGB"
    assert image.size == (200, 100)
    assert not image.getexif()
    assert not image.info.keys() & {"exif", "icc_profile", "comment", "dpi", "xmp"}
    assert chunk_types(result) == ["IHDR", "IDAT", "IEND"]
    for trace in (SECRET.encode(), b"PhoneMaker", b"Exif", b"<script"):
        assert trace not in result


def test_exif_orientation_is_applied_before_exif_is_dropped():
    image = decoded(process_logo(jpeg_with_metadata(orientation=6)))  # "rotate 90° to view"
    assert image.size == (100, 200)


@pytest.mark.parametrize(
    "options", [{"lossless": True}, {"quality": 80}], ids=["lossless", "lossy"]
)
def test_webp_is_accepted(options: dict[str, Any]):
    image = decoded(process_logo(encode(picture(mode="RGBA"), "WEBP", **options)))
    assert (image.format, image.size) == ("PNG", (120, 80))


@pytest.mark.parametrize(
    ("size", "expected"),
    [((3_000, 1_500), (400, 200)), ((1_200, 3_600), (133, 400)), ((4_000, 4_000), (400, 400))],
)
def test_large_images_shrink_to_400_px_on_the_longest_side(size, expected):
    data = encode(picture(size), "JPEG", quality=70)
    assert decoded(process_logo(data)).size == expected


@pytest.mark.parametrize(
    ("image", "mode"),
    [
        (Image.new("L", (20, 20), 128), "RGB"),
        (Image.new("1", (20, 20), 1), "RGB"),
        (Image.new("LA", (20, 20), (128, 60)), "RGBA"),
        (Image.new("P", (20, 20), 3), "RGB"),
    ],
    ids=["grey", "bilevel", "grey-alpha", "palette"],
)
def test_other_png_modes_become_rgb_or_rgba(image, mode):
    result = decoded(process_logo(encode(image, "PNG")))
    assert result.mode == mode
    assert result.convert("LA").getpixel((0, 0)) == image.convert("LA").getpixel((0, 0))


def test_16_bit_grey_is_scaled_to_8_bits_not_clipped():
    image = Image.new("I;16", (20, 20), 0x8080)
    assert decoded(process_logo(encode(image, "PNG"))).getpixel((0, 0)) == (128, 128, 128)


def test_palette_transparency_is_kept():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putpixel((5, 5), 1)
    result = decoded(process_logo(encode(image, "PNG", transparency=0)))
    assert result.mode == "RGBA"
    assert result.getpixel((0, 0))[3] == 0
    assert result.getpixel((5, 5)) == (0, 0, 255, 255)


def test_cmyk_jpeg_is_accepted():
    cmyk = Image.new("CMYK", (30, 30), (0, 255, 255, 0))
    assert decoded(process_logo(encode(cmyk, "JPEG"))).mode == "RGB"


def test_jpeg_with_a_gain_map_is_not_mistaken_for_an_animation():
    """Phones save HDR photos as a JPEG plus an MPF-indexed gain map; Pillow says "MPO"."""
    data = encode(picture((200, 100)), "MPO", save_all=True, append_images=[picture((50, 25))])
    assert Image.open(io.BytesIO(data)).n_frames == 2
    assert decoded(process_logo(data)).size == (200, 100)


@pytest.mark.parametrize(
    "payload",
    [b"<html><body>" + SCRIPT + b"</body></html>", b"PK\x03\x04" + b"\x00" * 100],
    ids=["html", "zip"],
)
def test_image_with_something_appended_comes_out_as_just_the_image(payload):
    png = encode(picture(), "PNG")
    result = process_logo(png + payload)
    assert result == process_logo(png)
    assert chunk_types(result) == ["IHDR", "IDAT", "IEND"]
    assert payload[:8] not in result


def test_text_chunks_and_jpeg_comments_do_not_survive():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("XML:com.adobe.xmp", SECRET, zip=True)
    png = encode(picture(), "PNG", pnginfo=info)
    jpeg = encode(picture(), "JPEG", comment=SCRIPT)
    for data in (png, jpeg):
        result = process_logo(data)
        assert chunk_types(result) == ["IHDR", "IDAT", "IEND"]
        assert SCRIPT not in result


def test_processing_twice_changes_nothing():
    once = process_logo(jpeg_with_metadata())
    assert process_logo(once) == once
    alpha = process_logo(png_with_alpha())
    assert process_logo(alpha) == alpha


def test_the_size_limit_counts_bytes_inclusively():
    png = encode(picture(), "PNG")
    padded = png + b"\x00" * (logos.MAX_BYTES - len(png))
    assert len(padded) == 2 * 1024 * 1024
    assert process_logo(padded) == process_logo(png)


# --- refused ------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_files_are_refused_with_a_clear_message_and_nothing_stored(
    make: Callable[[], bytes], message: str, folder: Path
):
    data = make()
    with pytest.raises(LogoRejected) as rejected:
        process_logo(data)
    with force_locale("en"):
        assert str(rejected.value.message) == message
        assert str(rejected.value) == message

    with pytest.raises(LogoRejected):
        store_logo(data)
    assert not folder.exists() or not any(folder.iterdir())


def test_bomb_is_refused_even_with_pillows_own_guard_switched_off(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with pytest.raises(LogoRejected) as rejected:
        process_logo(png_bomb(30_000, 30_000))
    assert str(rejected.value) == PIXELS


def test_image_in_pillows_warning_range_is_refused_by_our_own_limit():
    """10,000² pixels: Pillow only warns (its error starts at twice its limit)."""
    data = png_bomb(10_000, 10_000)
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(LogoRejected) as rejected:
        process_logo(data)
    assert str(rejected.value) == PIXELS


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_bomb_warning_turned_into_an_error_is_a_refusal_too():
    with pytest.raises(LogoRejected) as rejected:
        process_logo(png_bomb(10_000, 10_000))
    assert str(rejected.value) == PIXELS


def test_global_pillow_settings_are_left_alone():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(LogoRejected):
        process_logo(png_bomb(30_000, 30_000))
    process_logo(png_with_alpha())
    assert before == Image.MAX_IMAGE_PIXELS


# --- storing ------------------------------------------------------------------------------


def test_store_writes_the_processed_png_under_a_random_name(folder: Path):
    data = jpeg_with_metadata()
    first, second = store_logo(data), store_logo(data)
    assert first != second
    assert logos.NAME_PATTERN.fullmatch(first)
    assert sorted(path.name for path in folder.iterdir()) == sorted([first, second])  # no temps
    assert (folder / first).read_bytes() == process_logo(data)


def test_delete_removes_the_file_and_tolerates_a_missing_one(folder: Path):
    name = store_logo(png_with_alpha())
    delete_logo(name)
    assert not (folder / name).exists()
    delete_logo(name)


@pytest.mark.parametrize(
    "name",
    [
        "../outside.png",
        "/etc/passwd",
        "0" * 32 + ".png\n",
        "A" * 32 + ".png",
        "0" * 31 + ".png",
        "0" * 32 + ".PNG",
        "0" * 32,
        "",
    ],
)
def test_delete_refuses_names_we_could_not_have_made(name: str, folder: Path, tmp_path: Path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"keep me")
    with pytest.raises(ValueError, match="not a logo name"):
        delete_logo(name)
    assert outside.exists()


def test_default_folder_is_in_the_instance_folder(app: Flask):
    app.config["LOGO_FOLDER"] = None
    assert logos.logo_folder() == Path(app.instance_path) / "logos"
    app.config["LOGO_FOLDER"] = "uploads/logos"
    assert logos.logo_folder() == Path(app.instance_path) / "uploads" / "logos"


# --- serving ------------------------------------------------------------------------------


@pytest.fixture
def logo_client(app: Flask) -> FlaskClient:
    if "logos" not in app.blueprints:  # until create_app registers it
        app.register_blueprint(logos_bp)
    return app.test_client()


def test_a_stored_logo_is_served_as_an_inert_png(logo_client: FlaskClient, folder: Path):
    name = store_logo(png_with_alpha())
    response = logo_client.get(f"/logos/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    cache = response.cache_control
    assert cache.public
    assert cache.max_age == 365 * 24 * 60 * 60
    assert cache.immutable
    assert response.get_data() == (folder / name).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/logos/../../../etc/passwd",
        "/logos/..%2f..%2f..%2fetc%2fpasswd",
        "/logos/%2e%2e/%2e%2e/etc/passwd",
        "/logos/%2e%2e%2foutside.png",
        "/logos/..%5coutside.png",
        "/logos/%2fetc%2fpasswd",
        "/logos//etc/passwd",
        "/logos/{upper}",
        "/logos/{name}%0a",
        "/logos/{name}%00",
        "/logos/{name}/",
        "/logos/{name}.png",
        "/logos/{stem}",
        "/logos/{missing}",
        "/logos/secret.txt",
        "/logos/.upload-x.tmp",
        "/logos/",
    ],
)
def test_anything_but_a_stored_logo_name_is_not_found(
    logo_client: FlaskClient, folder: Path, tmp_path: Path, path: str
):
    name = store_logo(png_with_alpha())
    (folder / "secret.txt").write_text("staff only")
    (folder / ".upload-x.tmp").write_bytes(b"half")
    (tmp_path / "outside.png").write_bytes(png_with_alpha())
    url = path.format(name=name, upper=name.upper(), stem=name[:-4], missing="0" * 32 + ".png")
    response = logo_client.get(url, follow_redirects=True)
    assert response.status_code == 404
    assert b"staff only" not in response.get_data()
