"""The demo app with the attendance day's reads remembered after their first run: the same page, routes,
templates, hooks and server, but no SQL. `python -m bench pages` serves it beside the app as
"attendance_day_no_sql": what the page would cost if the database and SQLAlchemy cost nothing, the
floor the rest of the stack (gunicorn, Flask, Flask-Login, Jinja, Flask-Compress) sets. A bench only:
the remembered rows never change.
"""

from functools import cache

import kotaku_pwa.attendance.routes as attendance
from kotaku_pwa import create_app

app = create_app()
attendance.get_ksm_day = cache(attendance.get_ksm_day)
attendance._workers_and_day = cache(attendance._workers_and_day)
app.login_manager.user_loader(cache(app.login_manager._user_callback))
