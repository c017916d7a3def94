"""The faskel reports 0 % progress with a photo while offline; back online the report reaches the
server exactly once, its photo shrunk on the phone, and it shows in the evidence gallery and the LPJ pack."""

import io
import zipfile

from PIL import Image

from kotaku_pwa import db
from kotaku_pwa.models import Ksm, ProgressReport
from tests.factories import image_of

from .conftest import PHONE, form_status, sign_in, unsent, until, wait_synced, warm


def camera_photo(path):
    """A large photo, as a phone camera makes it (noise, so it does not compress to nothing)."""
    image = Image.effect_noise((2400, 1800), 60).convert("RGB")
    image.save(path, "JPEG", quality=95)
    return path


def test_a_progress_report_with_a_photo_made_offline_reaches_the_gallery_and_the_lpj_pack(
    page, context, server, tmp_path
):
    with server.app.app_context():
        ksm_id = db.session.execute(db.select(Ksm.id).filter_by(name="KSM Tanjung Karang 2")).scalar_one()
    before = server.count(ProgressReport, ksm_id=ksm_id)
    photo = camera_photo(tmp_path / "foto-0.jpg")
    assert photo.stat().st_size > 200 * 1024
    sign_in(page)
    warm(page)
    context.set_offline(True)
    page.goto(f"/ksm/{ksm_id}/progres")  # from the service worker's cache
    page.fill("#percent", "0")
    assert page.is_visible("[data-milestone-note]")  # the 0 % photo is asked for
    page.set_input_files("#progress-photo", str(photo))
    until(page, "() => document.querySelector('[name=photo]').value.startsWith('data:image/jpeg')")
    assert page.evaluate("() => document.querySelector('[name=photo]').value.length * 0.75") <= 200 * 1024
    assert page.evaluate("() => document.querySelector('[name=photo_taken_at]').value") != ""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#notes", "Sebelum pekerjaan dimulai")
    page.click("text=Simpan laporan")
    form_status(page, "tersimpan di HP")
    assert unsent(page) == 1
    page.reload()
    assert unsent(page) == 1

    context.set_offline(False)
    page.evaluate("Outbox.sync({force: true})")
    wait_synced(page)
    assert unsent(page) == 0, page.evaluate(
        "async () => JSON.stringify((await Outbox.all()).map(r => [r.state, r.errors, r.kind]))"
    )
    assert server.count(ProgressReport, ksm_id=ksm_id) == before + 1
    with server.app.app_context():
        row = db.session.scalars(
            db.select(ProgressReport).filter_by(ksm_id=ksm_id).order_by(ProgressReport.id.desc())
        ).first()
        report_id, stored = row.id, image_of(row)
    assert len(stored) <= 200 * 1024
    assert Image.open(io.BytesIO(stored)).format == "JPEG"

    page.goto(f"/ksm/{ksm_id}/bukti")
    thumb = page.locator(f"img[src='/photos/progress/{report_id}?thumb=1']")
    thumb.scroll_into_view_if_needed()
    until(
        page,
        f"() => document.querySelector(\"img[src='/photos/progress/{report_id}?thumb=1']\").naturalWidth > 0",
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    # The 50 % photo: the 0 % photo lies faintly over the preview, so the two line up.
    page.goto(f"/ksm/{ksm_id}/progres")
    page.fill("#percent", "50")
    assert "50 %" in page.inner_text("[data-milestone-note]")
    page.set_input_files("#progress-photo", str(photo))
    overlay = "[data-preview-box] [data-overlay]"
    until(
        page,
        "() => !document.querySelector('[data-preview-box]').hidden"
        f" && document.querySelector('{overlay}').complete",
    )
    assert page.is_visible(overlay)
    assert page.get_attribute(overlay, "src") == f"/photos/progress/{report_id}?thumb=1"
    assert page.evaluate(f"() => getComputedStyle(document.querySelector('{overlay}')).opacity") == "0.35"

    response = page.request.get(f"/ksm/{ksm_id}/lpj.zip")
    assert response.status == 200
    pack = zipfile.ZipFile(io.BytesIO(response.body()))
    photos = [n for n in pack.namelist() if n.startswith("03-progres/") and n.endswith(f"-{report_id}.jpg")]
    assert len(photos) == 1
    assert pack.read(photos[0]) == stored
