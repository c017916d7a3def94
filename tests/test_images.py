"""Issue 11, item 10: uploaded images are decoded and re-encoded with Pillow before they are stored;
a PNG header followed by HTML is refused, bytes after a real image are dropped."""

import base64
import io

from PIL import Image

from kotaku_pwa import db
from kotaku_pwa.images import decode
from kotaku_pwa.models import Meeting
from tests.factories import image_of
from tests.test_meetings import meeting, sync
from tests.test_payments import PNG, ksm_named, payment, worker_of

HTML = b"<html><script>alert(document.cookie)</script></html>"


def data_url(mime, raw):
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def image_bytes(image_format, size=(3, 2), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, 128).save(out, image_format)
    return out.getvalue()


def test_a_png_header_followed_by_html_is_refused():
    stored, problem = decode(data_url("image/png", b"\x89PNG\r\n\x1a\n" + HTML))
    assert stored is None
    assert problem == "Gambar rusak atau bukan PNG yang sah."


def test_bytes_after_a_real_image_are_dropped():
    for mime, image_format in (("image/png", "PNG"), ("image/jpeg", "JPEG")):
        stored, problem = decode(data_url(mime, image_bytes(image_format) + HTML), (mime,))
        assert problem is None
        assert b"<script" not in stored
        with Image.open(io.BytesIO(stored)) as again:
            assert (again.format, again.size) == (image_format, (3, 2))


def test_a_jpeg_sent_as_png_is_refused():
    assert decode(data_url("image/png", image_bytes("JPEG")))[0] is None
    assert decode(data_url("image/jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 100), ("image/jpeg",))[0] is None


def test_a_decompression_bomb_is_refused():
    bomb = image_bytes("PNG", size=(6000, 6000), mode="L")  # 36 megapixels in a few dozen KB
    assert len(bomb) < 200 * 1024
    stored, problem = decode(data_url("image/png", bomb))
    assert stored is None and problem


def test_transparent_signatures_stay_png_with_alpha():
    stored, problem = decode(data_url("image/png", image_bytes("PNG", mode="RGBA")))
    assert problem is None
    with Image.open(io.BytesIO(stored)) as again:
        assert again.mode == "RGBA"


def test_a_one_bit_signature_stays_one_bit_and_fits_the_daftar_upah_workbook():
    """Issue 14, item 6: the phone sends a 1-bit PNG (static/js/signature.js); the server's re-encoding
    keeps it 1-bit and small, and the LPJ workbook places it like any PNG."""
    from kotaku_pwa.progress.lpj import _sheet_image

    drawn = Image.new("1", (240, 90), 1)
    for x in range(10, 230):
        drawn.putpixel((x, 45 + (x // 7) % 9), 0)
    sent = io.BytesIO()
    drawn.save(sent, "PNG")
    stored, problem = decode(data_url("image/png", sent.getvalue()))
    assert problem is None
    with Image.open(io.BytesIO(stored)) as again:
        assert (again.mode, again.size) == ("1", (240, 90))
    assert len(stored) < 1000
    placed = _sheet_image(stored)
    assert (placed.height, placed.width) == (36, 96)  # the row's height, its proportions kept


def test_a_payment_signature_of_png_header_and_html_is_invalid(demo, auth):
    auth.login("bendahara")
    ksm = ksm_named("KSM Tanjung Karang 1")
    record = payment(
        ksm, worker_of(ksm, "Baiq Fitriani"), signature=data_url("image/png", b"\x89PNG\r\n\x1a\n" + HTML)
    )
    [result] = auth.sync([record]).get_json()["results"]
    assert result["status"] == "invalid"
    assert set(result["errors"]) == {"signature"}
    good = payment(ksm, worker_of(ksm, "Baiq Fitriani"), signature=PNG)
    assert auth.sync([good]).get_json()["results"][0]["status"] == "created"


def test_a_meeting_photo_is_stored_re_encoded(demo, auth):
    auth.login("faskel")
    photo = data_url("image/jpeg", image_bytes("JPEG", size=(8, 6)) + HTML)
    [result] = sync(auth, meeting(photo=photo))
    assert result["status"] == "created"
    stored = image_of(db.session.get(Meeting, result["id"]))
    assert stored.startswith(b"\xff\xd8\xff") and b"<script" not in stored


def test_a_phone_photo_within_the_limit_stays_within_it_once_re_encoded():
    # photo.js shrinks a camera photo just under 200 KB at a low JPEG quality; re-encoding it at a
    # higher quality must not push it over the limit and refuse a photo the phone sent within it.
    noise = Image.effect_noise((1280, 960), 60).convert("RGB")
    for quality in (30, 20, 10, 5):
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=quality)
        if len(out.getvalue()) <= 200 * 1024:
            break
    sent = out.getvalue()
    assert 100 * 1024 < len(sent) <= 200 * 1024
    stored, problem = decode(data_url("image/jpeg", sent), ("image/jpeg",))
    assert problem is None
    assert len(stored) <= 200 * 1024
    with Image.open(io.BytesIO(stored)) as again:
        assert (again.format, again.size) == ("JPEG", (1280, 960))
