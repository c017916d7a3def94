"""The pages a field user needs offline, warmed into the service worker's cache after sign-in."""

from flask import current_app, url_for

from .. import db
from ..access import kelurahan_query
from ..models import Kelurahan
from ..wages import pay_periods
from ..workdays import default_day, today


def offline_pages(user, ksms) -> list[str]:
    day = today(current_app.config["TIMEZONE"])
    pages = [url_for("home.index"), url_for("pwa.outbox")]
    if user.role in ("fasilitator", "admin"):
        pages.append(url_for("workers.index"))
    if user.role in ("fasilitator", "bendahara"):
        pages.append(url_for("attendance.index"))  # "Kehadiran" in the bottom menu (_nav.html)
        pages.append(url_for("meetings.index"))  # "Pertemuan" / "Prokes" in the bottom menu
    if user.role == "bendahara":
        pages.append(url_for("payments.index"))  # "Upah" in the bottom menu
    if user.role == "fasilitator":
        pages.append(url_for("meetings.new"))
        for kelurahan_id in db.session.scalars(kelurahan_query(user).with_only_columns(Kelurahan.id)):
            pages.append(url_for("meetings.new", kelurahan_id=kelurahan_id))
    for ksm in ksms:
        work_day = default_day(ksm.start_date, ksm.end_date, day)
        pages.append(url_for("attendance.day", ksm_id=ksm.id, day=work_day.isoformat()))
        pages.append(url_for("workers.index", ksm_id=ksm.id))
        if user.role in ("fasilitator", "admin"):
            pages.append(url_for("workers.new", ksm_id=ksm.id))
        if user.role in ("fasilitator", "bendahara"):
            pages.append(url_for("meetings.health", ksm_id=ksm.id))
            pages.append(url_for("payments.current", ksm_id=ksm.id))  # "Daftar upah" on the home page
        if user.role == "bendahara":
            pages.append(url_for("payments.ledger_page", ksm_id=ksm.id))
            for start, _ in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
                if start <= day:
                    pages.append(url_for("payments.period", ksm_id=ksm.id, start=start.isoformat()))
    return pages
