"""Signatures and photos arrive as data URLs from the phone; check what they really are."""

import base64
import binascii
import re

MAX_IMAGE_BYTES = 200 * 1024
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
LABELS = {"image/png": "PNG", "image/jpeg": "JPEG"}
PHOTO = ("image/jpeg", "image/png")  # a camera picture, or one the phone shrank to PNG
SIGNATURE = ("image/png",)  # drawn on the phone's canvas


def read(r, name, allowed=PHOTO):
    """The bytes of an optional image field of a record (a fields.Reader); a problem lands in r.errors."""
    if not r.data.get(name):
        return None
    data, problem = decode(r.data[name], allowed)
    if problem:
        r.errors[name] = problem
    return data


def decode(value, allowed=("image/png",), max_bytes=MAX_IMAGE_BYTES):
    """(bytes, None) for a data URL of an allowed image type, else (None, Indonesian message)."""
    kinds = " atau ".join(LABELS[a] for a in allowed)
    match = isinstance(value, str) and re.fullmatch(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=\s]+)", value)
    if not match or match.group(1) not in allowed:
        return None, f"Gambar harus berupa {kinds}."
    if len(match.group(2)) > max_bytes * 4 // 3 + 8:
        return None, f"Gambar terlalu besar (maksimal {max_bytes // 1024} KB)."
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None, f"Gambar harus berupa {kinds}."
    if not data.startswith(MAGIC[match.group(1)]):
        return None, f"Gambar harus berupa {kinds}."
    if len(data) > max_bytes:
        return None, f"Gambar terlalu besar (maksimal {max_bytes // 1024} KB)."
    return data, None
