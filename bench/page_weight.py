"""First load of a field page, everything it fetches, compressed as the server sends it.
docs/budgets.md budget: ≤ 60 KB per field page, ≤ 10 KB per htmx fragment."""

import re
import tempfile
from pathlib import Path

from kotaku_pwa import create_app, db
from kotaku_pwa.demo import load_demo
from kotaku_pwa.models import Ksm
from kotaku_pwa.web import INSTALLED_COOKIE

from .server import signed_in_client

PAGES = [
    "/",
    "/attendance/{ksm}/2021-05-03",
    "/workers/new?ksm_id={ksm}",
    "/payments/{ksm}/2021-04-15",
    "/outbox",
]
FRAGMENTS = ["/attendance/{ksm}/2021-04-19/week"]


def main(quick=False):
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'w.db'}",
                "SECRET_KEY": "b",
                "PASSWORD_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            db.create_all()
            load_demo()
            ksm = db.session.scalars(db.select(Ksm.id).order_by(Ksm.id)).first()
        client, facilitator = signed_in_client(app, "bendahara"), signed_in_client(app, "faskel")
        gzip = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends
        print("page weight as Chromium receives it (br/zstd), first load with every script, style and icon:")
        for page in PAGES:
            url = page.format(ksm=ksm)
            # The worker form is the facilitator's (the treasurer would get a 403 page).
            user = facilitator if page.startswith("/workers/") else client
            html = user.get(url, headers=gzip)
            assert html.status_code == 200, (url, html.status_code)
            total = len(html.data)
            text = user.get(url).get_data(as_text=True)
            for asset in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', text)):
                total += len(user.get(asset, headers=gzip).data)
            # Once the app is installed its files come from the service worker: the page alone travels.
            user.set_cookie(INSTALLED_COOKIE, "1")
            later = len(user.get(url, headers=gzip).data)
            user.delete_cookie(INSTALLED_COOKIE)
            print(f"  {url:38s} {total / 1024:6.1f} KB  (budget 60 KB); installed: {later / 1024:4.1f} KB")
            figures[page] = {"kb": total / 1024, "installed_kb": later / 1024}
        for fragment in FRAGMENTS:
            url = fragment.format(ksm=ksm)
            size = len(client.get(url, headers={**gzip, "HX-Request": "true"}).data)
            print(f"  fragment {url:29s} {size / 1024:6.1f} KB  (budget 10 KB)")
            figures[fragment] = {"kb": size / 1024}
        print(
            f"  once per install, precached in the background by the service worker: "
            f"{shell_weight(client, gzip) / 1024:.1f} KB"
        )
        with app.app_context():
            db.engine.dispose()
    return figures


def shell_weight(client, headers):
    """What the service worker precaches once, in the background, on the first visit."""
    from kotaku_pwa.pwa.routes import SHELL_STATIC

    return sum(len(client.get(f"/static/{f}", headers=headers).data) for f in SHELL_STATIC)
