import pytest

from .conftest import sign_in


@pytest.mark.parametrize(
    ("username", "heading", "marker"),
    [
        ("faskel", "Halo, Rina Marlina", "Tanjung Karang"),
        ("bendahara", "Halo, Sri Wahyuni", "KSM Tanjung Karang 1"),
        ("askot", "Halo, Dedi Kurniawan", "Kelurahan"),
        ("admin", "Halo, Admin Program", "Kelola data program"),
    ],
)
def test_each_demo_role_signs_in_on_a_phone(page, username, heading, marker):
    sign_in(page, username)
    assert page.viewport_size == {"width": 360, "height": 740}
    assert heading in page.inner_text("h1")
    assert marker in page.inner_text("main")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_wrong_password_is_refused_in_indonesian(page):
    page.goto("/login")
    page.fill("#username", "faskel")
    page.fill("#password", "salah-sandi")
    page.click("button[type=submit]")
    assert "Nama pengguna atau kata sandi salah." in page.inner_text("main")
