"""Commands: `flask --app app demo`, `generate`, `create-user`, `check-demo`."""

import json
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import click
from psycopg import sql
from sqlalchemy import JSON, func

from . import db, synthetic
from .models import (
    ROLES,
    Attendance,
    HealthCheck,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    Meeting,
    Payment,
    PaymentReversal,
    Spending,
    TrancheReceipt,
    User,
    Worker,
)
from .storage import store


def init_app(app):
    app.cli.add_command(demo)
    app.cli.add_command(generate)
    app.cli.add_command(create_user)
    from .dashboard.rollups import rollups_cli

    app.cli.add_command(rollups_cli)
    from .storage import images_cli

    app.cli.add_command(images_cli)
    app.cli.add_command(check_demo)


def demo_accounts():
    """The active demo accounts on this database, each with whether its demo password still works."""
    from .demo import ACCOUNTS, PASSWORD

    names = [account[0] for account in ACCOUNTS]
    users = db.session.scalars(db.select(User).where(User.username.in_(names), User.active.is_(True))).all()
    return [(user.username, user.check_password(PASSWORD)) for user in users]


def demo_warning():
    """The start-up warning for a server others can reach, or None when no demo account is left."""
    found = demo_accounts()
    if not found:
        return None
    names = ", ".join(
        f"{name} (kata sandi demo {'MASIH BERLAKU' if weak else 'sudah diganti'})" for name, weak in found
    )
    return (
        f"Akun demo ada di basis data ini: {names}. Server ini dapat dijangkau dari luar: "
        "nonaktifkan akun demo di layar Admin atau pakai basis data produksi (README, 'Produksi')."
    )


@click.command("check-demo")
def check_demo():
    """Warn (exit 1) when demo accounts exist: run before opening a server to the network."""
    message = demo_warning()
    if message:
        raise click.ClickException(message)
    click.echo("Tidak ada akun demo aktif.")


@click.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet (make run).")
def demo(if_empty):
    """Load the demo data of Kota Mataram (idempotent)."""
    from .demo import load_demo
    from .demo_story import load_story

    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        return
    load_demo()
    load_story()  # meetings, checks, wages, verifications: what every screen shows on the first run
    click.echo(
        "Data demo Kota Mataram siap. Akun demo: faskel, bendahara, askot, admin (kata sandi: kotaku-demo)."
    )


@click.command()
@click.option("--kelurahan", "n_kelurahan", default=16, show_default=True)
@click.option("--workers", "n_workers", default=50, show_default=True, help="Workers per kelurahan.")
@click.option("--days", "n_days", default=60, show_default=True, help="Working days of attendance.")
@click.option("--kota", "kota_name", default="Kota Sintetis", show_default=True)
def generate(n_kelurahan, n_workers, n_days, kota_name):
    """Make large synthetic data (one KSM per kelurahan) for benchmarks: workers, attendance,
    payments, meetings, health checks and money (kotaku_pwa/synthetic.py)."""
    kota = Kota(name=f"{kota_name} {uuid.uuid4().hex[:6]}")
    db.session.add(kota)
    db.session.flush()
    kecamatan = Kecamatan(kota_id=kota.id, name="Kecamatan Sintetis")
    db.session.add(kecamatan)
    db.session.flush()
    start = date(2021, 4, 15)
    days = [start + timedelta(days=i) for i in range(n_days)]
    creator = db.session.scalars(db.select(User.id).order_by(User.id)).first()
    if creator is None:
        raise click.ClickException("Buat satu pengguna dulu (flask --app app demo).")
    region = f"5271{uuid.uuid4().int % 90 + 10:02d}"  # a fresh kecamatan code per run
    total = 0
    with click.progressbar(range(n_kelurahan), label="Membuat data") as bar:
        for k in bar:
            kelurahan = Kelurahan(
                kecamatan_id=kecamatan.id, name=f"Kelurahan {k + 1}", cfw=True, bpm_allocation=300_000_000
            )
            db.session.add(kelurahan)
            db.session.flush()
            ksm = Ksm(
                kelurahan_id=kelurahan.id,
                name=f"KSM {k + 1}",
                activity="Drainase",
                budget=300_000_000,
                start_date=start,
                end_date=days[-1],
            )
            db.session.add(ksm)
            db.session.flush()
            workers = [_synthetic_worker(ksm, k * n_workers + w, region, creator) for w in range(n_workers)]
            _insert(Worker, workers)
            ids = db.session.scalars(db.select(Worker.id).where(Worker.ksm_id == ksm.id)).all()
            _insert(
                Attendance,
                [
                    {
                        **synthetic.synced(creator),
                        "ksm_id": ksm.id,
                        "worker_id": worker_id,
                        "work_date": day,
                        "present": synthetic.present(worker_id, day),
                    }
                    for worker_id in ids
                    for day in days
                ],
            )
            _generate_records(kelurahan, ksm, k, ids, days, kota.wage_pekerja, creator)
            total += len(ids) * len(days)
            db.session.commit()
    click.echo(f"{n_kelurahan} kelurahan, {n_kelurahan * n_workers} pekerja, {total} baris kehadiran.")


def _generate_records(kelurahan, ksm, k, worker_ids, days, rate, creator):
    """Payments (one reversed and paid again), meetings, checks and money of a synthetic KSM."""
    store().put(synthetic.SIGNATURE)  # the one signature every generated payment names
    payments = synthetic.payments(ksm, k, worker_ids, days, rate, creator)
    if payments:
        _insert(Payment, payments)
        first = db.session.scalar(db.select(func.min(Payment.id)).where(Payment.ksm_id == ksm.id))
        _insert(
            PaymentReversal, [{"payment_id": first, "reason": "Salah jumlah hari", "created_by_id": creator}]
        )
        _insert(Payment, [synthetic.paid_again(payments[0], creator)])
    _insert(Meeting, synthetic.meetings(kelurahan, ksm, days, creator))
    _insert(HealthCheck, synthetic.checks(kelurahan, ksm, k, days, len(worker_ids), creator))
    receipt, spending = synthetic.money(ksm, days, creator)
    _insert(TrancheReceipt, [receipt])
    _insert(Spending, spending)


def _insert(model, rows):
    """Bulk load rows: COPY on PostgreSQL (one statement, so the rollup triggers run once for all the
    rows; a multi-row INSERT of thousands of rows costs psycopg more to parse than to run), the
    driver's executemany on SQLite. COPY applies no Python-side default: they are filled in here."""
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(db.insert(model), rows)
        return
    table = model.__table__
    columns = [c for c in table.columns if c.default is not None or any(c.name in row for row in rows)]
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table.name), names)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_copy_value(c, row) for c in columns])


def _copy_value(column, row):
    """The row's value of a column as COPY takes it, with the default SQLAlchemy would have added."""
    if column.name in row:
        value = row[column.name]
    elif column.default.is_scalar:
        value = column.default.arg
    else:
        value = column.default.arg(SimpleNamespace(get_current_parameters=lambda: row))
    return json.dumps(value) if isinstance(column.type, JSON) else value


def _synthetic_worker(ksm, i, region, creator):
    """The i-th synthetic worker, with a NIK unique for up to 3 million workers."""
    day, month, serial = i // 9999 % 28 + 1, i // (9999 * 28) % 12 + 1, i % 9999 + 1
    return {
        **synthetic.synced(creator),
        "ksm_id": ksm.id,
        "nik": f"{region}{day:02d}{month:02d}80{serial:04d}",
        "name": f"Pekerja {i + 1}",
        "gender": "P" if i % 3 == 0 else "L",
        "birth_date": date(1980, month, day),
        "category": "pekerja",
        "season": 2021,
        "low_income_covid": True,
        "lost_income": False,
        "breadwinner": True,
    }


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "full_name", required=True)
@click.password_option()
def create_user(username, role, full_name, password):
    """Create a user (scope is set later on the admin screen)."""
    if db.session.execute(db.select(User).filter_by(username=username)).first():
        raise click.ClickException(f"Nama pengguna {username} sudah dipakai.")
    from .auth.passwords import password_problem

    problem = password_problem(password, username)
    if problem:
        raise click.ClickException(problem)
    user = User(username=username.lower(), full_name=full_name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Pengguna {username} ({role}) dibuat.")
