"""The audit trail (/audit, issue 10 item 5) and the supervisor's menu (item 10)."""

import re

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import AuditLog, Conflict, Ksm, User, Worker
from kotaku_pwa.records.registry import KINDS
from kotaku_pwa.roles import MAX_NAV_ITEMS, ROLES

from .factories import attendance_record, make_kelurahan, make_kota, make_ksm, make_user, new_uuid
from .test_verification import decision, page_text, send


def ksm_named(name):
    return db.session.execute(db.select(Ksm).filter_by(name=name)).scalar_one()


def user_named(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def attendance_day(ksm, day):
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id)).all()
    return [attendance_record(ksm.id, w.uuid, work_date=day, present=True) for w in workers]


def entries(text):
    return re.findall(r"<li data-audit-entry data-kind=\"([a-z_]+)\">(.*?)</li>", text, re.S)


# --- what is logged ---------------------------------------------------------------------------------


def test_an_attendance_day_is_one_entry_with_its_count_and_user(demo, auth):
    ksm = ksm_named("KSM Tanjung Karang 1")
    results = send(auth, "faskel", *attendance_day(ksm, "2021-04-18"))
    assert {r["status"] for r in results} == {"created"}
    entry = db.session.execute(db.select(AuditLog).filter_by(object_kind="attendance")).scalar_one()
    assert entry.user.username == "faskel" and entry.action == "created"
    assert (entry.ksm_id, entry.kelurahan_id) == (ksm.id, ksm.kelurahan_id)
    assert entry.detail["count"] == 12 and entry.detail["work_date"] == "2021-04-18"
    assert sorted(entry.detail["ids"]) == sorted(r["id"] for r in results)


def test_a_resend_adds_no_entry_and_a_conflict_is_not_a_creation(demo, auth):
    ksm = ksm_named("KSM Tanjung Karang 1")
    day = attendance_day(ksm, "2021-04-18")
    send(auth, "faskel", *day)
    send(auth, "faskel", *day)  # duplicates
    again = [{**r, "uuid": new_uuid()} for r in day[:2]]  # same workers and day: conflicts
    assert {r["status"] for r in send(auth, "bendahara", *again)} == {"conflict"}
    assert db.session.scalar(db.select(db.func.count(AuditLog.id))) == 1


def test_two_days_in_one_batch_are_two_entries(demo, auth):
    ksm = ksm_named("KSM Tanjung Karang 1")
    send(auth, "faskel", *attendance_day(ksm, "2021-04-18"), *attendance_day(ksm, "2021-04-25"))
    days = db.session.scalars(db.select(AuditLog.detail).filter_by(object_kind="attendance")).all()
    assert sorted(d["work_date"] for d in days) == ["2021-04-18", "2021-04-25"]


def test_a_conflict_decision_is_logged_with_its_reason(demo, auth):
    ksm = ksm_named("KSM Tanjung Karang 1")
    worker = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id)).first()
    send(auth, "bendahara", attendance_record(ksm.id, worker.uuid, work_date="2021-04-16", present=False))
    conflict = db.session.scalars(db.select(Conflict)).one()
    auth.login("askot")
    auth.post(f"/conflicts/{conflict.id}/resolve", keep="existing", reason="Daftar hadir kertas: hadir")
    entry = db.session.execute(db.select(AuditLog).filter_by(action="conflict_kept_existing")).scalar_one()
    assert entry.detail["reason"] == "Daftar hadir kertas: hadir"
    assert entry.ksm_id == ksm.id
    text = page_text(auth, "askot", "/audit/")
    assert "Daftar hadir kertas: hadir" in text and "menyelesaikan konflik" in text


def test_a_failed_sign_in_is_logged_for_admin_only(demo, auth):
    auth.login("askot", "salah-sekali")
    entry = db.session.execute(db.select(AuditLog).filter_by(action="login_failed")).scalar_one()
    assert entry.detail["username"] == "askot" and entry.user_id is None
    assert "gagal masuk" in page_text(auth, "admin", "/audit/")
    assert "gagal masuk" not in page_text(auth, "askot", "/audit/")


# --- the page ---------------------------------------------------------------------------------------


def test_newest_first_with_who_when_and_a_link(demo, auth):
    ksm = ksm_named("KSM Tanjung Karang 1")
    send(auth, "faskel", *attendance_day(ksm, "2021-04-18"))
    send(auth, "askot", decision(ksm.id, "returned", reason="HOK 18 April tidak wajar"))
    text = page_text(auth, "askot", "/audit/")
    shown = entries(text)
    assert [kind for kind, _ in shown] == ["verification", "attendance"]
    assert "Dedi Kurniawan" in shown[0][1] and "dikembalikan" in shown[0][1]
    assert "HOK 18 April tidak wajar" in shown[0][1] and "WITA" in shown[0][1]
    assert f'href="/payments/{ksm.id}/2021-04-15"' in shown[0][1]
    assert "Rina Marlina" in shown[1][1] and "(12 data)" in shown[1][1]
    assert f'href="/attendance/{ksm.id}/2021-04-18"' in shown[1][1]
    # Dates in words, as everywhere else (a phone walk found "· 2021-04-18", "periode 2021-04-15").
    assert "· 18 April 2021" in shown[1][1] and "periode mulai 15 April 2021" in shown[0][1]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r'href="[^"]*"', "", text))


def test_a_supervisor_sees_their_kota_only(demo, auth):
    lobar = make_kota("Lombok Barat")
    other = make_ksm(make_kelurahan("Batu Layar", kota=lobar), name="KSM Batu Layar 1")
    admin = user_named("admin")
    db.session.add(
        AuditLog(
            user_id=admin.id,
            action="updated",
            object_kind="ksm",
            object_id=other.id,
            kelurahan_id=other.kelurahan_id,
            ksm_id=other.id,
            detail={},
        )
    )
    ksm = ksm_named("KSM Tanjung Karang 1")
    send(auth, "faskel", *attendance_day(ksm, "2021-04-18"))
    make_user("supervisor", username="sup-lobar", kota=lobar)
    mine = entries(page_text(auth, "askot", "/audit/"))
    assert [k for k, _ in mine] == ["attendance"]
    auth.login("sup-lobar", "rahasia-uji-123")
    theirs = entries(auth.client.get("/audit/").get_data(as_text=True))
    assert [k for k, _ in theirs] == ["ksm"]
    auth.logout()
    assert len(entries(page_text(auth, "admin", "/audit/"))) == 2


@pytest.mark.parametrize("username", ["faskel", "bendahara"])
def test_the_field_has_no_audit_page(demo, auth, username):
    auth.login(username)
    assert auth.client.get("/audit/").status_code == 403


def test_filters_by_ksm_user_and_kind(demo, auth):
    tk1, tk2 = ksm_named("KSM Tanjung Karang 1"), ksm_named("KSM Tanjung Karang 2")
    send(auth, "faskel", *attendance_day(tk1, "2021-04-18"))
    send(auth, "askot", decision(tk1.id, "verified"), decision(tk2.id, "returned", reason="Belum ada foto"))
    askot = user_named("askot")
    assert [k for k, _ in entries(page_text(auth, "askot", f"/audit/?ksm={tk2.id}"))] == ["verification"]
    by_user = entries(page_text(auth, "askot", f"/audit/?user={askot.id}"))
    assert [k for k, _ in by_user] == ["verification", "verification"]
    assert [k for k, _ in entries(page_text(auth, "askot", "/audit/?kind=attendance"))] == ["attendance"]
    both = entries(page_text(auth, "askot", f"/audit/?ksm={tk1.id}&kind=verification"))
    assert len(both) == 1 and "diverifikasi" in both[0][1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ksm=999999", "KSM tidak dikenal"),
        ("ksm=abc", "KSM tidak dikenal"),
        ("ksm=99999999999999999999", "KSM tidak dikenal"),
        ("user=999999", "Pengguna tidak dikenal"),
        ("user=-1", "Pengguna tidak dikenal"),
        ("kind=rahasia", "Jenis data tidak dikenal"),
        ("before=x", "Halaman tidak dikenal"),
    ],
)
def test_unknown_filters_get_a_clear_message(demo, auth, query, message):
    auth.login("askot")
    response = auth.client.get(f"/audit/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_another_kotas_ksm_is_unknown_to_a_supervisor(demo, auth):
    other = make_ksm(make_kelurahan("Batu Layar", kota=make_kota("Lombok Barat")), name="KSM Batu Layar 1")
    auth.login("askot")
    response = auth.client.get(f"/audit/?ksm={other.id}")
    assert response.status_code == 400 and "KSM tidak dikenal" in response.get_data(as_text=True)


def test_pages_of_fifty(demo, auth):
    admin = user_named("admin")
    ksm = ksm_named("KSM Tanjung Karang 1")
    db.session.add_all(
        AuditLog(
            user_id=admin.id,
            action="updated",
            object_kind="ksm",
            object_id=ksm.id,
            kelurahan_id=ksm.kelurahan_id,
            ksm_id=ksm.id,
            detail={"name": f"perubahan {i}"},
        )
        for i in range(60)
    )
    first = page_text(auth, "askot", "/audit/")
    assert len(entries(first)) == 50 and "perubahan 59" in first and "perubahan 9<" not in first
    next_url = re.search(r'href="(/audit/\?before=\d+)"', first).group(1)
    second = page_text(auth, "askot", next_url)
    assert len(entries(second)) == 10 and "perubahan 0" in second and "Lebih lama" not in second


def test_every_record_kind_has_a_label():
    from kotaku_pwa.audit.routes import KIND_LABELS

    assert set(KINDS) <= set(KIND_LABELS)


# --- the supervisor's menu --------------------------------------------------------------------------


def test_the_supervisors_menu_reaches_dashboard_conflicts_audit_meetings_and_exports(demo, auth):
    role = ROLES["supervisor"]
    assert len(role.nav) <= MAX_NAV_ITEMS
    endpoints = {item.endpoint for item in (*role.nav, *role.more)}
    assert {"dashboard.index", "conflicts.index", "audit.index", "meetings.index"} <= endpoints
    assert "dashboard.export_csv" in endpoints and "verification.index" in endpoints
    home = page_text(auth, "askot", "/")
    assert 'href="/more"' in home and ">Lainnya<" in home
    more = page_text(auth, "askot", "/more")
    for url in ("/verification/", "/audit/", "/meetings/", "/dashboard/export.csv"):
        assert f'href="{url}"' in more, url
        auth.login("askot")
        assert auth.client.get(url).status_code == 200, url
        auth.logout()


def test_roles_without_more_have_no_lainnya_page(demo, auth):
    auth.login("faskel")
    assert auth.client.get("/more").status_code == 403
