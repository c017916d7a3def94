"""Signatures and photos arrive as data URLs from the phone; check what they really are, and store
only what Pillow decoded and wrote again (a PNG header followed by HTML is never stored)."""

import base64
import binascii
import io
import re
import warnings

from PIL import Image, ImageOps

MAX_IMAGE_BYTES = 200 * 1024
MAX_PIXELS = 4096 * 4096  # far above a phone's downscaled photo (photo.js: 1280 px); no decompression bombs
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
LABELS = {"image/png": "PNG", "image/jpeg": "JPEG"}
PHOTO = ("image/jpeg", "image/png")  # a camera picture, or one the phone shrank to PNG
SIGNATURE = ("image/png",)  # drawn on the phone's canvas


def mimetype_of(data: bytes) -> str:
    """The type a stored image's first bytes say it is."""
    return next((m for m, magic in MAGIC.items() if data.startswith(magic)), "application/octet-stream")


def read(r, name, allowed=PHOTO):
    """The bytes of an optional image field of a record (a fields.Reader); a problem lands in r.errors."""
    if not r.data.get(name):
        return None
    data, problem = decode(r.data[name], allowed)
    if problem:
        r.errors[name] = problem
    return data


FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def decode(value, allowed=("image/png",), max_bytes=MAX_IMAGE_BYTES):
    """(bytes, None) for a data URL of an allowed image type, else (None, Indonesian message)."""
    kinds = " atau ".join(LABELS[a] for a in allowed)
    match = isinstance(value, str) and re.fullmatch(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=\s]+)", value)
    if not match or match.group(1) not in allowed:
        return None, f"Gambar harus berupa {kinds}."
    too_big = f"Gambar terlalu besar (maksimal {max_bytes // 1024} KB)."
    if len(match.group(2)) > max_bytes * 4 // 3 + 8:
        return None, too_big
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None, f"Gambar harus berupa {kinds}."
    if not data.startswith(MAGIC[match.group(1)]):
        return None, f"Gambar harus berupa {kinds}."
    if len(data) > max_bytes:
        return None, too_big
    clean = reencode(data, FORMATS[match.group(1)], max_bytes)
    if clean is None:
        return None, f"Gambar rusak atau bukan {kinds} yang sah."
    if len(clean) > max_bytes:
        return None, too_big
    return clean, None


# A phone sends its photo already shrunk to a low JPEG quality (photo.js): written again at 85 it can
# grow past the limit it was sent within, so lower qualities are tried until it fits.
JPEG_QUALITIES = (85, 70, 55, 40, 25, 10)


def reencode(data: bytes, image_format: str, max_bytes: int | None = None) -> bytes | None:
    """The image decoded and written again in its own format (no trailing bytes, no metadata), a JPEG
    within `max_bytes` when a quality of JPEG_QUALITIES allows; None when Pillow cannot read it as
    that format or it is too large once decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.load()
                out = io.BytesIO()
                if image_format == "PNG":
                    image.save(out, "PNG", optimize=True)
                else:  # the camera's orientation applied, as EXIF is not kept
                    picture = ImageOps.exif_transpose(image)
                    if picture.mode not in ("RGB", "L"):
                        picture = picture.convert("RGB")
                    for quality in JPEG_QUALITIES:
                        out = io.BytesIO()
                        picture.save(out, "JPEG", quality=quality)
                        if max_bytes is None or out.tell() <= max_bytes:
                            break
                return out.getvalue()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
