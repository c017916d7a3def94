"""What a 360 px phone shows in the top bar once something waits in the outbox (a walk of issue 9)."""

from .conftest import badge_shows, sign_in, warm


def test_the_unsent_badge_takes_one_line_of_its_own_and_taps_are_44_px(page, context):
    """Walked offline: the badge's sentence wrapped into a four-line blob beside a two-line brand."""
    sign_in(page, "faskel")
    warm(page)
    context.set_offline(True)
    page.goto("/outbox")
    page.evaluate("Outbox.save([{uuid: Outbox.newId(), kind: 'meeting', data: {}, label: 'Uji tata letak'}])")
    badge_shows(page, "1 data tersimpan di HP, belum terkirim")
    sizes = page.evaluate(
        """() => Object.fromEntries(['.badge', '.brand', '.topbar .account'].map((s) => {
            const r = document.querySelector(s).getBoundingClientRect();
            return [s, [Math.round(r.width), Math.round(r.height)]];
        }))"""
    )
    assert 44 <= sizes[".badge"][1] < 60 and sizes[".badge"][0] > 300, sizes  # one full-width line
    assert 44 <= sizes[".brand"][1] < 60 and 44 <= sizes[".topbar .account"][1] < 60, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
