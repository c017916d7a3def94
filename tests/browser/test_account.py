"""The Akun page on a phone (issue 11): one's signed-in devices with "akhiri sesi ini", and the link to
the password page that no page had before."""

from .conftest import sign_in


def test_the_account_page_lists_this_device_and_links_the_password_page(page):
    sign_in(page, "askot")
    page.click("header >> text=Akun")
    page.wait_for_url("**/account")
    main = page.inner_text("main")
    assert "Perangkat yang sedang masuk" in main
    assert "perangkat ini" in main
    assert "tekan Keluar" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("text=Ganti kata sandi")
    page.wait_for_url("**/account/password")
    assert "Ganti kata sandi" in page.inner_text("h1")


def test_a_weak_new_password_is_refused_in_indonesian(page):
    sign_in(page, "askot")
    page.goto("/account/password")
    page.fill("#current", "kotaku-demo")
    page.fill("#new", "password12")
    page.fill("#repeat", "password12")
    page.click("main button[type=submit]")
    assert "paling sering dipakai" in page.inner_text("main")
