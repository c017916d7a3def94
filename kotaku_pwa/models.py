"""Every table of KOTAKU Lapangan.

Money is integer Rupiah. Times are stored as naive UTC. Records made on phones (workers, attendance,
and the later kinds) carry the sync columns of `SyncedRecord`: the browser-made uuid is UNIQUE, so a
record resent after a lost reply is recognised instead of stored twice.
"""

from datetime import UTC, date, datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .roles import ROLES as _ROLE_TABLE
from .vocabulary import PAY_PERIODS, SPENDING_CATEGORIES, WAGE_CATEGORIES  # noqa: F401  (record kinds)

ROLES = tuple(_ROLE_TABLE)


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


class Kota(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The BPS region code (4 digits, Mataram 5271): a worker's NIK starts with the code of where
    # they are registered, so a NIK from elsewhere is flagged for the supervisor (nik.py).
    kode_wilayah: Mapped[str | None] = mapped_column(String(4))
    wage_pekerja: Mapped[int] = mapped_column(Integer, default=76000)
    wage_tukang: Mapped[int] = mapped_column(Integer, default=85000)
    wage_mandor: Mapped[int] = mapped_column(Integer, default=95000)

    kecamatan: Mapped[list["Kecamatan"]] = relationship(back_populates="kota", order_by="Kecamatan.name")

    def wage_rates(self):
        return {c: getattr(self, f"wage_{c}") for c in WAGE_CATEGORIES}


class Kecamatan(db.Model):
    __table_args__ = (UniqueConstraint("kota_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kota_id: Mapped[int] = mapped_column(ForeignKey("kota.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    kota: Mapped[Kota] = relationship(back_populates="kecamatan")
    kelurahan: Mapped[list["Kelurahan"]] = relationship(back_populates="kecamatan", order_by="Kelurahan.name")


class Kelurahan(db.Model):
    __table_args__ = (UniqueConstraint("kecamatan_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("kecamatan.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    cfw: Mapped[bool] = mapped_column(Boolean, default=False)
    dfat: Mapped[bool] = mapped_column(Boolean, default=False)
    typology: Mapped[str | None] = mapped_column(String(40))
    bpm_allocation: Mapped[int] = mapped_column(Integer, default=0)

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan")
    bkm: Mapped["Bkm | None"] = relationship(back_populates="kelurahan")
    ksm: Mapped[list["Ksm"]] = relationship(back_populates="kelurahan", order_by="Ksm.name")

    @property
    def kota(self):
        return self.kecamatan.kota

    @property
    def programmes(self):
        return [p for p, on in (("CFW", self.cfw), ("DFAT", self.dfat)) if on]


class Bkm(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    chair: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(String(60))

    kelurahan: Mapped[Kelurahan] = relationship(back_populates="bkm")


class Ksm(db.Model):
    __table_args__ = (UniqueConstraint("kelurahan_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    activity: Mapped[str] = mapped_column(String(200))
    budget: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    ketua: Mapped[str | None] = mapped_column(String(100))
    sekretaris: Mapped[str | None] = mapped_column(String(100))
    bendahara: Mapped[str | None] = mapped_column(String(100))
    pay_period: Mapped[str] = mapped_column(String(10), default="weekly")
    # CFW or DFAT (issue 13): its tranche plan and reports follow it, even in a kelurahan of both.
    programme: Mapped[str] = mapped_column(String(10), default="CFW", server_default="CFW")
    # Optional overrides of the kota's daily rates (None = the kota's rate is in force).
    wage_pekerja: Mapped[int | None] = mapped_column(Integer)
    wage_tukang: Mapped[int | None] = mapped_column(Integer)
    wage_mandor: Mapped[int | None] = mapped_column(Integer)

    kelurahan: Mapped[Kelurahan] = relationship(back_populates="ksm")

    def wage_overrides(self):
        return {c: getattr(self, f"wage_{c}") for c in WAGE_CATEGORIES}


class ProgrammeYear(db.Model):
    """The tranche plan and wage-share target of one programme in one year."""

    __table_args__ = (UniqueConstraint("year", "programme"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    programme: Mapped[str] = mapped_column(String(10), default="CFW")
    tranche_percentages: Mapped[list] = mapped_column(JSON, default=lambda: [70, 30])
    wage_share_target: Mapped[int] = mapped_column(Integer, default=70)


user_kelurahan = db.Table(
    "user_kelurahan",
    db.Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    db.Column("kelurahan_id", ForeignKey("kelurahan.id"), primary_key=True),
)


class SessionUser(UserMixin):
    """What Flask-Login asks of a signed-in user, for both forms it takes: a `User` row (at sign-in) and
    the request's `auth.signed_in.SignedIn` (every request after)."""

    # Which signed-in device this request comes from, and the ids of the user's kelurahan (both set by
    # the login loader, not stored).
    session_token = None
    kelurahan_ids = None
    # The counters of writes this user may see, read with the session (remembered_pages.py); None at sign-in.
    pages_version = None

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return self.session_token


class User(SessionUser, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Scope: a supervisor's kota, a bendahara's KSM, a fasilitator's kelurahan list.
    kota_id: Mapped[int | None] = mapped_column(ForeignKey("kota.id"))
    ksm_id: Mapped[int | None] = mapped_column(ForeignKey("ksm.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When the user's phone last sent records (the supervisor's "last sync per facilitator").
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime)

    kota: Mapped[Kota | None] = relationship()
    ksm: Mapped[Ksm | None] = relationship()
    kelurahan: Mapped[list[Kelurahan]] = relationship(secondary=user_kelurahan, order_by="Kelurahan.name")

    @property
    def record(self):
        """The row itself (`current_user` is usually a SignedIn, whose `record` loads it)."""
        return self

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_METHOD"])

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class UserSession(db.Model):
    """One signed-in device. Logout deletes it; a password change or deactivation deletes them all."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # For the inactivity timeout and the user's own list of signed-in devices (the Akun page).
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    ip: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)


class PageVersion(db.Model):
    """How many transactions wrote to a kota's data (kota_id 0: to data of no one kota): the pages a
    process remembers are kept under the counters their viewer may see (remembered_pages.py)."""

    __tablename__ = "page_version"
    kota_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditLog(db.Model):
    """Who created, changed, verified, reversed or resolved what, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    ksm_id: Mapped[int | None] = mapped_column(ForeignKey("ksm.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()


class SyncedRecord:
    """Columns every record made on a phone carries (docs/offline.md, "The design")."""

    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @declared_attr
    def created_by_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("user.id"))


def _first_version(context):
    """A row made anywhere but the sync engine (demo, generator) starts at its first version."""
    return context.get_current_parameters()["uuid"]


class Correctable:
    """A record kind that can be corrected (docs/sync-protocol.md): the row keeps the uuid of the
    first version as the thing's identity (`uuid`) and is updated in place; `version` is the uuid of
    its current version, and `payload_hash`, `recorded_at`, `received_at`, `created_by_id` describe
    that version. Superseded versions are kept in `RecordVersion`."""

    version: Mapped[str] = mapped_column(String(36), unique=True, default=_first_version)


class Worker(Correctable, SyncedRecord, db.Model):
    __table_args__ = (
        UniqueConstraint("nik", "season", name="uq_worker_nik_season"),
        # The dashboard counts workers and women per KSM from this index alone.
        Index("ix_worker_ksm_gender", "ksm_id", "gender"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), index=True)
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    low_income_covid: Mapped[bool] = mapped_column(Boolean, default=False)
    lost_income: Mapped[bool] = mapped_column(Boolean, default=False)
    breadwinner: Mapped[bool] = mapped_column(Boolean, default=False)
    season: Mapped[int] = mapped_column(Integer)
    # A deactivated worker leaves attendance lists from `inactive_from` on and keeps their history.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    inactive_from: Mapped[date | None] = mapped_column(Date)
    inactive_reason: Mapped[str | None] = mapped_column(String(200))

    ksm: Mapped[Ksm] = relationship()

    def on_list(self, day) -> bool:
        """Is the worker on the KSM's attendance list of this day (not yet deactivated then)?"""
        return self.active or self.inactive_from is None or day < self.inactive_from


class Attendance(Correctable, SyncedRecord, db.Model):
    """One worker on one day: present counts as one HOK."""

    __table_args__ = (
        UniqueConstraint("worker_id", "work_date", name="uq_attendance_worker_day"),
        Index("ix_attendance_ksm_day", "ksm_id", "work_date", "present"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    work_date: Mapped[date] = mapped_column(Date)
    present: Mapped[bool] = mapped_column(Boolean)

    worker: Mapped[Worker] = relationship()


class HokDaily(db.Model):
    """Present HOK per KSM, day and wage category: a rollup of attendance that the database keeps
    in the same transaction as every attendance write (triggers of dashboard/rollups.py), so the
    dashboard reads a few thousand rows instead of millions."""

    __tablename__ = "hok_daily"
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), primary_key=True)
    work_date: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(10), primary_key=True)
    present: Mapped[int] = mapped_column(Integer, default=0)


class HokPeriod(db.Model):
    """Present HOK per KSM, pay period (its first day) and wage category: hok_daily summed by the
    KSM's pay periods, kept by triggers on hok_daily and on a KSM's dates (dashboard/rollups.py).
    The dashboard reads a few rows per KSM instead of one per day."""

    __tablename__ = "hok_period"
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(10), primary_key=True)
    present: Mapped[int] = mapped_column(Integer, default=0)


class KsmWorkers(db.Model):
    """Workers registered in a KSM and how many are women: a rollup of worker kept by triggers
    (dashboard/rollups.py), so the dashboard does not count tens of thousands of workers."""

    __tablename__ = "ksm_workers"
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), primary_key=True)
    workers: Mapped[int] = mapped_column(Integer, default=0)
    women: Mapped[int] = mapped_column(Integer, default=0)


class PaidPeriod(db.Model):
    """Wages paid per KSM and pay period, net of reversals, and how many of those payments carry
    neither signature nor photo: a rollup of payment and payment_reversal kept by triggers
    (dashboard/rollups.py), like hok_daily."""

    __tablename__ = "paid_period"
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    paid: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)


class OverpaidPeriod(db.Model):
    """Kelebihan bayar per worker and pay period: the payments not reversed minus the present HOK ×
    the paid daily rate, kept only where positive (a paid day corrected since). A rollup kept by
    triggers on attendance, payment and payment_reversal (dashboard/rollups.py), like hok_daily."""

    __tablename__ = "overpaid_period"
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"))
    amount: Mapped[int] = mapped_column(Integer)


class Payment(SyncedRecord, db.Model):
    """A wage payment to one worker for one pay period. Never edited or deleted: a mistake is
    reversed (PaymentReversal) and paid again, the new payment taking the next `round`."""

    __table_args__ = (
        UniqueConstraint("worker_id", "period_start", "round", name="uq_payment_worker_period_round"),
        Index("ix_payment_ksm_period", "ksm_id", "period_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    daily_rate: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str | None] = mapped_column(String(60))
    # Images are in the image store (storage.py): a row keeps the key (the SHA-256) and the size.
    signature_key: Mapped[str | None] = mapped_column(String(64))  # PNG drawn on the phone
    signature_size: Mapped[int | None] = mapped_column(Integer)
    photo_key: Mapped[str | None] = mapped_column(String(64))  # JPEG of the thumbprinted paper list
    photo_size: Mapped[int | None] = mapped_column(Integer)
    # Why a cash payment carries neither signature nor photo (the phone failed): stored and flagged,
    # the wage is never held back (docs/sync-protocol.md `payment`).
    no_proof_reason: Mapped[str | None] = mapped_column(String(300))
    round: Mapped[int] = mapped_column(Integer, default=1)

    worker: Mapped[Worker] = relationship()
    reversal: Mapped["PaymentReversal | None"] = relationship(back_populates="payment")

    @property
    def without_proof(self) -> bool:
        """Cash paid with neither signature nor thumbprint photo (a transfer is proved by its reference)."""
        return self.method == "cash" and self.signature_key is None and self.photo_key is None


class PaymentReversal(db.Model):
    """The correcting entry that cancels a payment, with the reason (insert-only, audited)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="reversal")
    created_by: Mapped[User] = relationship()


class Verification(SyncedRecord, db.Model):
    """A supervisor's decision on one KSM pay period (its attendance and wage list): `verified`, or
    `returned` with a reason. Insert-only: the latest decision (highest id) of a period is its state."""

    __table_args__ = (Index("ix_verification_ksm_period", "ksm_id", "period_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(300))

    created_by: Mapped[User] = relationship()

    @property
    def created_by_name(self):
        """Who decided, as the period's pages show it (the attendance day reads it as a column)."""
        return self.created_by.full_name


class TrancheReceipt(SyncedRecord, db.Model):
    """BPM money received by the KSM: tahap I, II... of the programme year's tranche plan."""

    __table_args__ = (UniqueConstraint("ksm_id", "tranche", name="uq_tranche_receipt_ksm_tranche"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), index=True)
    tranche: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    received_on: Mapped[date] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(60))


class Spending(SyncedRecord, db.Model):
    """Non-wage spending of a KSM: tools, materials, APD, with a photo of the receipt."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), index=True)
    spent_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(Integer)
    receipt_photo_key: Mapped[str | None] = mapped_column(String(64))  # in the image store (storage.py)
    receipt_photo_size: Mapped[int | None] = mapped_column(Integer)


class Meeting(Correctable, SyncedRecord, db.Model):
    """A meeting the facilitator ran (sosialisasi, coaching KSM, MP2K, TIPP...), with its attendance list.

    `topics` and `outcomes` hold codes of vocabulary.py; the photo's place is read on the
    phone when the photo is taken, and is never required."""

    __table_args__ = (Index("ix_meeting_kelurahan_held", "kelurahan_id", "held_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"))
    ksm_id: Mapped[int | None] = mapped_column(ForeignKey("ksm.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    programme: Mapped[str] = mapped_column(String(10))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    topics: Mapped[list] = mapped_column(JSON, default=list)
    outcomes: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(64))  # in the image store (storage.py)
    photo_size: Mapped[int | None] = mapped_column(Integer)
    photo_lat: Mapped[float | None] = mapped_column(Float)
    photo_lon: Mapped[float | None] = mapped_column(Float)
    photo_accuracy: Mapped[float | None] = mapped_column(Float)  # metres, as the phone reported it

    kelurahan: Mapped[Kelurahan] = relationship()
    ksm: Mapped[Ksm | None] = relationship()
    attendees: Mapped[list["MeetingAttendee"]] = relationship(
        back_populates="meeting", order_by="MeetingAttendee.position"
    )
    # Read-only: a check is linked from its own side (HealthCheck.meeting_id).
    health_check: Mapped["HealthCheck | None"] = relationship(viewonly=True)


class MeetingAttendee(db.Model):
    """One line of a meeting's daftar hadir, in the order it was written."""

    __table_args__ = (UniqueConstraint("meeting_id", "position", name="uq_meeting_attendee_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))
    role: Mapped[str] = mapped_column(String(20))
    tipp_role: Mapped[str | None] = mapped_column(String(20))  # ketua/sekretaris/bendahara/anggota of TIPP

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")


class HealthCheck(Correctable, SyncedRecord, db.Model):
    """A health-protocol check at a meeting or on a KSM's work site on one day (PUPR Inmen 02/2020)."""

    __table_args__ = (
        UniqueConstraint("meeting_id", name="uq_health_check_meeting"),  # one check per meeting
        Index("ix_health_check_kelurahan_checked", "kelurahan_id", "checked_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"))
    ksm_id: Mapped[int | None] = mapped_column(ForeignKey("ksm.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    checked_on: Mapped[date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(10))  # "meeting" or "worksite"
    people_present: Mapped[int] = mapped_column(Integer)
    masks_worn: Mapped[int] = mapped_column(Integer)
    distancing: Mapped[bool] = mapped_column(Boolean)
    handwash_soap: Mapped[bool] = mapped_column(Boolean)
    temperature_checked: Mapped[bool] = mapped_column(Boolean)
    # Work sites check body temperature three times a day, and workers wear APD.
    temp_morning: Mapped[bool] = mapped_column(Boolean, default=False)
    temp_noon: Mapped[bool] = mapped_column(Boolean, default=False)
    temp_afternoon: Mapped[bool] = mapped_column(Boolean, default=False)
    fever_cases: Mapped[int] = mapped_column(Integer, default=0)
    apd_workers: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    kelurahan: Mapped[Kelurahan] = relationship()
    ksm: Mapped[Ksm | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()


class WorkItem(db.Model):
    """One item of a KSM's works (e.g. normalisasi saluran, 250 m), set by the facilitator or admin."""

    __table_args__ = (UniqueConstraint("ksm_id", "name", name="uq_work_item_ksm_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    volume: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    planned_cost: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    ksm: Mapped[Ksm] = relationship()


class ProgressReport(SyncedRecord, db.Model):
    """How far a KSM's works (or one work item) are on a day, with a located photo at the milestones.

    Insert-only, like every record from a phone: a later report supersedes an earlier one."""

    __table_args__ = (Index("ix_progress_report_ksm_reported", "ksm_id", "reported_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ksm_id: Mapped[int] = mapped_column(ForeignKey("ksm.id"))
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    percent: Mapped[int] = mapped_column(Integer)
    photo_key: Mapped[str | None] = mapped_column(String(64))  # JPEG in the image store (storage.py)
    photo_size: Mapped[int | None] = mapped_column(Integer)
    photo_lat: Mapped[float | None] = mapped_column(Float)
    photo_lon: Mapped[float | None] = mapped_column(Float)
    photo_taken_at: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC, from the phone
    notes: Mapped[str | None] = mapped_column(Text)

    ksm: Mapped[Ksm] = relationship()
    work_item: Mapped[WorkItem | None] = relationship()


class Conflict(db.Model):
    """A record that clashes with one already stored, kept for a supervisor to resolve."""

    __table_args__ = (UniqueConstraint("uuid", "payload_hash", name="uq_conflict_uuid_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    existing_kind: Mapped[str] = mapped_column(String(20))
    existing_uuid: Mapped[str] = mapped_column(String(36))
    existing_id: Mapped[int] = mapped_column(Integer)
    replaces: Mapped[str | None] = mapped_column(String(36))  # the version a held correction names
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The supervisor's words with the decision: shown to the field (POST /api/outcomes) and audited.
    decision_reason: Mapped[str | None] = mapped_column(String(300))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    kelurahan: Mapped[Kelurahan] = relationship()


class RecordVersion(db.Model):
    """A superseded version of a corrected record (worker, attendance, meeting, health check): its
    values as they were (JSON), and who made it and when, kept as the record's history ("riwayat").
    `uuid` is UNIQUE: two corrections of the same version cannot both win."""

    __table_args__ = (Index("ix_record_version_kind_record", "kind", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the superseded version's uuid
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)  # the row of `kind` that is the thing
    payload_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    replaced_by: Mapped[str] = mapped_column(String(36))  # the uuid of the version that followed it
    superseded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    superseded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    superseded_by: Mapped[User] = relationship(foreign_keys=[superseded_by_id])


# --- DFAT (issue 13) ----------------------------------------------------------------------------------


class WatsanSurvey(SyncedRecord, db.Model):
    """A household count of a DFAT kelurahan: how many have safe water and safe sanitation."""

    __table_args__ = (UniqueConstraint("kelurahan_id", "surveyed_on", name="uq_watsan_survey_kelurahan_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"))
    surveyed_on: Mapped[date] = mapped_column(Date)
    households: Mapped[int] = mapped_column(Integer)
    households_safe_water: Mapped[int] = mapped_column(Integer)
    households_safe_sanitation: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    kelurahan: Mapped[Kelurahan] = relationship()


class TippRegister(db.Model):
    """A DFAT kelurahan's TIPP: formed or revitalised, under which SK (the members are TippMember)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="formed")  # vocabulary.TIPP_STATUSES
    sk_number: Mapped[str | None] = mapped_column(String(100))
    sk_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class TippMember(db.Model):
    """One member of a kelurahan's TIPP."""

    __table_args__ = (Index("ix_tipp_member_kelurahan", "kelurahan_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"))
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))
    role: Mapped[str] = mapped_column(String(20))  # vocabulary.TIPP_ROLES
    unsur: Mapped[str | None] = mapped_column(String(20))  # vocabulary.TIPP_UNSUR
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))  # filled from this meeting


class DfatAssessment(db.Model):
    """A DFAT kelurahan's slum problems per KOTAKU indicator, its water and sanitation needs, and how
    far the concept design and the RPLP / RP2KPKP have come."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), unique=True)
    problems: Mapped[dict] = mapped_column(JSON, default=dict)  # indicator code -> what is wrong
    water_needs: Mapped[str | None] = mapped_column(Text)
    sanitation_needs: Mapped[str | None] = mapped_column(Text)
    design_status: Mapped[str] = mapped_column(String(20), default="belum")  # vocabulary.PLAN_STATUSES
    rplp_status: Mapped[str] = mapped_column(String(20), default="belum")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def identified(self) -> bool:
        """Problems or needs written down: the DFAT identification stage is done."""
        return any((self.problems or {}).values()) or bool(self.water_needs or self.sanitation_needs)
