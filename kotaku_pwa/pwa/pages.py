"""The pages a field user needs offline, warmed into the service worker's cache after sign-in.

Which pages is the `offline*` columns of the table of roles (roles.py); this module turns them into
URLs for the user's kelurahan, KSMs, work day and pay periods.
"""

from flask import current_app, url_for

from .. import db
from ..access import kelurahan_query
from ..models import Kelurahan
from ..roles import ROLES
from ..wages import pay_periods
from ..workdays import default_day, today


def offline_pages(user, ksms) -> list[str]:
    """The URLs of the pages `user` keeps on the phone, for the KSMs in their scope."""
    role = ROLES.get(user.role)
    if role is None:
        return []
    day = today(current_app.config["TIMEZONE"])
    pages = [url_for(endpoint) for endpoint in role.offline]
    if role.offline_per_kelurahan:
        places = db.session.execute(kelurahan_query(user).with_only_columns(Kelurahan.id, Kelurahan.dfat))
        for kelurahan_id, dfat in places:
            pages += [
                url_for(endpoint, kelurahan_id=kelurahan_id)
                for endpoint in role.offline_per_kelurahan
                if dfat or not endpoint.startswith("dfat.")  # DFAT pages exist for DFAT kelurahan only
            ]
    for ksm in ksms:
        for endpoint in role.offline_per_ksm:
            pages += _ksm_pages(endpoint, ksm, day)
    return pages


def _ksm_pages(endpoint, ksm, day) -> list[str]:
    """One KSM's URLs of an endpoint: the attendance of its work day, its pay periods begun so far."""
    if endpoint == "attendance.day":
        work_day = default_day(ksm.start_date, ksm.end_date, day)
        return [url_for(endpoint, ksm_id=ksm.id, day=work_day.isoformat())]
    if endpoint == "payments.period":
        periods = pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period)
        return [
            url_for(endpoint, ksm_id=ksm.id, start=start.isoformat()) for start, _ in periods if start <= day
        ]
    return [url_for(endpoint, ksm_id=ksm.id)]
