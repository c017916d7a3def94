"""Device names on the Akun page, from a browser's User-Agent."""

import pytest

from kotaku_pwa.auth.devices import device_label


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (
            "Mozilla/5.0 (Linux; Android 12; SM-A125F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
            "Android · Chrome",
        ),
        (
            "Mozilla/5.0 (Linux; Android 11) SamsungBrowser/23.0 Chrome/115.0 Mobile Safari/537.36",
            "Android · Samsung Internet",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Version/17.1 Mobile Safari/604.1",
            "iPhone · Safari",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36 Edg/120.0",
            "Windows · Edge",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Linux · Firefox"),
        ("curl/8.5.0", "Perangkat tidak dikenal"),
        ("", "Perangkat tidak dikenal"),
        (None, "Perangkat tidak dikenal"),
    ],
)
def test_device_label(agent, label):
    assert device_label(agent) == label
