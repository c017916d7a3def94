"""The evidence photos of a KSM, wherever a record keeps one, and their thumbnails (Pillow)."""

import io
import warnings
from collections import OrderedDict
from threading import Lock

from PIL import Image

from ..images import FORMATS, MAX_PIXELS
from ..models import Meeting, Payment, ProgressReport, Spending
from ..storage import store

# kind in the URL → (table, image name (its columns `<name>_key`, `<name>_size`), Indonesian label)
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


def thumbnail(image_key: str, side: int = THUMB_SIDE) -> bytes | None:
    """A small JPEG of the image under `image_key` in the image store (cached by that key: the bytes
    under a key never change, so a cached thumbnail is read from the store no more); None when the
    bytes are no image Pillow reads."""
    key = (image_key, side)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    small = _reencode(store().get(image_key), side, quality=70)
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
