"""The evidence photos of a KSM, wherever a record keeps one, and their thumbnails (Pillow)."""

import hashlib
import io
import warnings
from collections import OrderedDict
from threading import Lock

from PIL import Image

from ..images import FORMATS, MAX_PIXELS
from ..models import Meeting, Payment, ProgressReport, Spending

# kind in the URL → (table, column, Indonesian label)
SOURCES = {
    "progress": (ProgressReport, "photo", "Foto progres"),
    "meeting": (Meeting, "photo", "Foto pertemuan"),
    "payment": (Payment, "photo", "Foto daftar bercap jempol"),
    "receipt": (Spending, "receipt_photo", "Foto kuitansi"),
}
THUMB_SIDE = 240
_CACHE_SIZE = 512  # thumbnails of ~10 KB each: a few MB per server process
_cache: OrderedDict = OrderedDict()
_lock = Lock()


def thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes | None:
    """A small JPEG of an image (cached by the image's digest: a record's photo never changes);
    None when the bytes are no image Pillow reads."""
    key = (hashlib.sha256(data).hexdigest(), side)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    small = _reencode(data, side, quality=70)
    with _lock:
        _cache[key] = small
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return small


def as_jpeg(data: bytes) -> bytes | None:
    """The image as JPEG (the LPJ pack's photos): JPEG as it is, PNG converted; None if no image."""
    if data.startswith(b"\xff\xd8\xff"):
        return data
    return _reencode(data, None, quality=85)


def _reencode(data, side, quality):
    """Stored images were already re-encoded by images.decode; the same bounds apply here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS.values())) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image = image.convert("RGB")
                if side:
                    image.thumbnail((side, side))
                out = io.BytesIO()
                image.save(out, "JPEG", quality=quality)
                return out.getvalue()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
