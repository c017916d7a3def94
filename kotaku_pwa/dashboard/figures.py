"""The one read model of progress: every figure the dashboard, its CSV and XLSX, the home pages and
the charts show, per KSM and per kelurahan.

A handful of GROUP BY queries over the kelurahan asked for (HOK from the hok_daily rollup, never
from the millions of attendance rows), then plain Python. The rules live in one place each: the rate
in force (`rate_in_force_sql`, the SQL twin of wages.rates_in_force), "not reversed"
(`not_reversed`), a kelurahan's programme (`programme_of` / `programme_sql`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from operator import attrgetter

from sqlalchemy import Integer, String, case, cast, func

from .. import db, ledger, protocol, stages
from ..database import one_of
from ..models import (
    Conflict,
    HealthCheck,
    HokDaily,
    HokPeriod,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    KsmWorkers,
    Meeting,
    PaidPeriod,
    Payment,
    PaymentReversal,
    ProgrammeYear,
    Spending,
    TrancheReceipt,
    User,
    user_kelurahan,
)
from ..vocabulary import PERIOD_DAYS, WAGE_CATEGORIES
from ..wages import DEFAULT_WAGE_SHARE_TARGET, pay_periods, wage_share

LOW_COMPLIANCE = 80  # percent: below this a kelurahan needs attention


# --- The rules kept in one place -------------------------------------------------------------


def programme_of(cfw: bool, dfat: bool) -> str:
    """A kelurahan's programme for its targets and tranche plan: CFW when it has Cash For Work."""
    return "CFW" if cfw else "DFAT"


def programme_sql():
    """The SQL twin of programme_of, on Kelurahan."""
    return case((Kelurahan.cfw.is_(True), "CFW"), else_="DFAT")


def rate_in_force_sql(category):
    """SQL for the daily rate of `category` (a column) at a KSM: its override, else its kota's
    (the twin of wages.rates_in_force; the query must join Ksm and Kota)."""
    return case(
        *[
            (category == c, func.coalesce(getattr(Ksm, f"wage_{c}"), getattr(Kota, f"wage_{c}")))
            for c in WAGE_CATEGORIES
        ],
        else_=0,
    )


def not_reversed():
    """The condition on Payment of a payment that stands (no reversal names it)."""
    return ~db.select(PaymentReversal.id).where(PaymentReversal.payment_id == Payment.id).exists()


def flagged():
    """The condition on Payment of a payment made without signature or photo."""
    return Payment.signature_key.is_(None) & Payment.photo_key.is_(None)


# --- Figures owned by other parts of the programme --------------------------------------------
# Each returns {kelurahan id: value} for a set of ids; the part that records the data points it
# at its table (progress reports, DFAT surveys, corrections, verification).


def progress_percent(kelurahan_ids) -> dict:
    """Budget-weighted physical progress of each KSM's latest reports (progress/queries.py)."""
    from ..progress.queries import progress_percent as percent  # the progress package imports payments

    return percent(kelurahan_ids)


def dfat_stages(kelurahan_ids) -> dict:
    """The DFAT stage each DFAT kelurahan has reached (its own sequence, stages.DFAT_STAGES)."""
    if not kelurahan_ids:
        return {}
    from ..dfat.queries import dfat_progress_of  # the dfat package imports the meeting kind

    return dfat_progress_of(kelurahan_ids)


def water_sanitation(kelurahan_ids) -> dict:
    """(water %, sanitation %) of a DFAT kelurahan's latest survey (issue 13, dfat/queries.py)."""
    from ..dfat.queries import access_percents  # the dfat package imports the meeting kind

    return access_percents(kelurahan_ids)


def wages_overpaid(kelurahan_ids) -> dict:
    """Payments not reversed above the wages now due (held corrections accepted), per kelurahan."""
    from ..payments.queries import wages_overpaid as overpaid  # the payments package imports this module

    return overpaid(kelurahan_ids)


def verified_returned(kelurahan_ids) -> dict:
    """(verified, returned) KSM pay periods, counted by their latest decision (payments/locks.py)."""
    from ..payments.locks import period_counts  # the payments package imports this module

    counts = period_counts(kelurahan_ids)
    return {k: (c.get("verified", 0), c.get("returned", 0)) for k, c in counts.items()}


# --- Per KSM ----------------------------------------------------------------------------------


class _Shares:
    """The shares a KSM and a kelurahan both show, from their wages, spending, checks and workers."""

    @cached_property
    def wage_share(self):
        return wage_share(self.wages_paid, self.spent)

    @property
    def wage_share_percent(self):
        share = self.wage_share
        return None if share is None else round(100 * share)

    @cached_property
    def compliance(self):
        return protocol.mean_compliance(self.checks)

    @property
    def women_percent(self):
        return round(100 * self.women / self.workers) if self.workers else None


@dataclass
class KsmFigures(_Shares):
    id: int
    kelurahan_id: int
    name: str
    start: date
    end: date
    pay_period: str
    budget: int
    workers: int = 0
    women: int = 0
    received: int = 0
    spent: int = 0  # non-wage spending
    meetings: int = 0
    hok: int = 0
    wages_due: int = 0
    wages_paid: int = 0
    outstanding: int = 0
    late: int = 0  # rupiah unpaid more than 7 days after its period ended
    late_periods: int = 0
    payments_flagged: int = 0
    checks: list = field(default_factory=list)  # compliance of each health check, 0–100
    periods: list = field(default_factory=list)  # ledger.period_balances rows
    hok_by_period: dict = field(default_factory=dict)  # first day of a pay period → HOK
    due_by_period: dict = field(default_factory=dict)  # first day of a pay period → rupiah

    @property
    def absorbed(self):
        return self.wages_paid + self.spent


def _between(column, period):
    return [column.between(*period)] if period else []


def _rows(statement):
    """The rows of a select of columns, run without the ORM's per-row work (thousands of rows)."""
    return db.session.connection().execute(statement).all()


def _hok_sums(rollup):
    """SQL: HOK and wages due (HOK × the rate in force of the category) of rollup rows."""
    return func.sum(rollup.present), func.sum(rollup.present * rate_in_force_sql(rollup.category))


def _with_rates(query, rollup):
    """A select of a rollup (hok_daily, hok_period) joined to what the rate in force reads."""
    return (
        query.join(Ksm, rollup.ksm_id == Ksm.id)
        .join(Kelurahan, Ksm.kelurahan_id == Kelurahan.id)
        .join(Kecamatan, Kelurahan.kecamatan_id == Kecamatan.id)
        .join(Kota, Kecamatan.kota_id == Kota.id)
    )


def _period_number():
    """SQL: which pay period of its KSM a hok_daily day falls in (0 for the first)."""
    if db.session.get_bind().dialect.name == "sqlite":
        days = cast(func.julianday(HokDaily.work_date) - func.julianday(Ksm.start_date), Integer)
    else:
        days = HokDaily.work_date - Ksm.start_date  # PostgreSQL: date − date is a whole number of days
    length = case(*[(Ksm.pay_period == p, n) for p, n in PERIOD_DAYS.items()], else_=7)
    return (days // length).label("period_number")


def hok_by_period(kelurahan_ids, period=None) -> list[tuple]:
    """(KSM id, first day of a pay period, HOK, wages due) of the KSMs of these kelurahan. From the
    hok_period rollup (a few rows per KSM); for a date range, from hok_daily's days within it."""
    in_scope = one_of(Ksm.kelurahan_id, kelurahan_ids)
    if period is None:
        return _rows(
            _with_rates(db.select(HokPeriod.ksm_id, HokPeriod.period_start, *_hok_sums(HokPeriod)), HokPeriod)
            .where(in_scope)
            .group_by(HokPeriod.ksm_id, HokPeriod.period_start)
        )
    number = _period_number()
    rows = _rows(
        _with_rates(
            db.select(HokDaily.ksm_id, number, Ksm.start_date, Ksm.pay_period, *_hok_sums(HokDaily)), HokDaily
        )
        .where(in_scope, HokDaily.work_date.between(*period))
        .group_by(HokDaily.ksm_id, number, Ksm.start_date, Ksm.pay_period)
    )
    return [
        (ksm_id, start + timedelta(days=n * PERIOD_DAYS.get(pay_period, 7)), hok, due)
        for ksm_id, n, start, pay_period, hok, due in rows
    ]


def ksm_days(ksm_id) -> list[tuple]:
    """(day, HOK, wages due) of one KSM, in day order."""
    return db.session.execute(
        _with_rates(db.select(HokDaily.work_date, *_hok_sums(HokDaily)), HokDaily)
        .where(Ksm.id == ksm_id)
        .group_by(HokDaily.work_date)
        .order_by(HokDaily.work_date)
    ).all()


def _sum_of(model, day, period):
    """SQL: the sum of a KSM's money rows (tranche receipts, spending) within the period."""
    return (
        db.select(func.coalesce(func.sum(model.amount), 0))
        .where(model.ksm_id == Ksm.id, *_between(day, period))
        .scalar_subquery()
    )


def _count_of(model, *conditions):
    return db.select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def ksm_figures(kelurahan_ids, today: date, period=None) -> dict:
    """KSM id → KsmFigures for the KSMs of these kelurahan; `period` (first, last day) narrows HOK,
    wages, money and checks to it."""
    ids = list(kelurahan_ids)
    if not ids:
        return {}
    figures = {
        row[0]: KsmFigures(*row)
        for row in _rows(
            db.select(
                Ksm.id, Ksm.kelurahan_id, Ksm.name, Ksm.start_date, Ksm.end_date, Ksm.pay_period, Ksm.budget,
                func.coalesce(KsmWorkers.workers, 0),  # the rollup of worker (rollups.py)
                func.coalesce(KsmWorkers.women, 0),
                _sum_of(TrancheReceipt, TrancheReceipt.received_on, period),
                _sum_of(Spending, Spending.spent_on, period),
                _count_of(Meeting, Meeting.ksm_id == Ksm.id, *_between(Meeting.held_on, period)),
            )
            .outerjoin(KsmWorkers, KsmWorkers.ksm_id == Ksm.id)
            .where(one_of(Ksm.kelurahan_id, ids))
        )
    }  # fmt: skip
    # HOK and wages due per KSM and pay period, summed by the database from the rollup.
    for ksm_id, start, hok, due in hok_by_period(ids, period):
        f = figures[ksm_id]
        f.hok_by_period[start], f.due_by_period[start] = int(hok), int(due)
    paid = defaultdict(dict)
    # paid_period holds the payments not reversed (rollups.py; equal to a recount with not_reversed).
    for ksm_id, start, amount, n_flagged in _rows(
        db.select(PaidPeriod.ksm_id, PaidPeriod.period_start, PaidPeriod.paid, PaidPeriod.flagged).where(
            one_of(PaidPeriod.ksm_id, figures), *_between(PaidPeriod.period_start, period)
        )
    ):
        paid[ksm_id][start] = int(amount)
        figures[ksm_id].payments_flagged += int(n_flagged)
    for f in figures.values():
        _settle(f, paid[f.id], today)
    return figures


@lru_cache(maxsize=4096)
def _pay_periods(start, end, pay_period):
    return tuple(pay_periods(start, end, pay_period))


def _settle(f: KsmFigures, paid_by_start: dict, today: date):
    """Totals, outstanding and late wages of a KSM from its days and payments."""
    f.hok, f.wages_due = sum(f.hok_by_period.values()), sum(f.due_by_period.values())
    f.wages_paid = sum(paid_by_start.values())
    # A period's first day falls in that period, so the due per period buckets as due per day would.
    f.periods = ledger.period_balances(
        _pay_periods(f.start, f.end, f.pay_period), f.due_by_period, paid_by_start, today
    )
    f.outstanding = sum(p[4] for p in f.periods)
    late = ledger.late_periods([(p[0], p[1], p[4]) for p in f.periods], today)
    f.late, f.late_periods = sum(p[2] for p in late), len(late)


_CHECK_COLUMNS = (
    "kelurahan_id",
    "ksm_id",
    "setting",
    "people_present",
    "masks_worn",
    "distancing",
    "handwash_soap",
    "temperature_checked",
    "temp_morning",
    "temp_noon",
    "temp_afternoon",
    "apd_workers",
    "fever_cases",
)


def _checks(kelurahan_ids, period):
    """(kelurahan id, KSM id or None, compliance %, how many) of the health checks in these
    kelurahan: alike checks counted once by the database and scored once (protocol.compliance)."""
    columns = [getattr(HealthCheck, c) for c in _CHECK_COLUMNS]
    rows = _rows(
        db.select(*columns, func.count().label("n"))
        .where(one_of(HealthCheck.kelurahan_id, kelurahan_ids), *_between(HealthCheck.checked_on, period))
        .group_by(*columns)
    )
    scores = {}
    for row in rows:
        shape = row[2:-1]  # what the check observed, whoever recorded it
        if shape not in scores:
            scores[shape] = protocol.compliance(row)
        yield row.kelurahan_id, row.ksm_id, scores[shape], row.n


# --- Per kelurahan ----------------------------------------------------------------------------


@dataclass
class KelurahanFigures(_Shares):
    id: int
    name: str
    kecamatan_id: int
    kecamatan: str
    kota_id: int
    kota: str
    programme: str
    programmes: list
    bpm_allocation: int
    ksms: list = field(default_factory=list)  # KsmFigures
    checks: list = field(default_factory=list)  # compliance of every check, KSM or not
    meetings: int = 0
    health_checks: int = 0
    open_conflicts: int = 0
    facilitators: list = field(default_factory=list)  # (name, last sync or None)
    target: int = DEFAULT_WAGE_SHARE_TARGET
    progress: stages.Progress | None = None
    progress_percent: int = 0
    water_percent: int | None = None
    sanitation_percent: int | None = None
    wages_overpaid: int = 0
    verified_periods: int = 0
    returned_periods: int = 0

    def _sum(self, name):
        return sum(getattr(k, name) for k in self.ksms)

    def __getattr__(self, name):
        # The money and people totals are the sums of the KSMs' (workers, hok, wages_due...).
        if name in _SUMMED:
            return self._sum(name)
        raise AttributeError(name)

    @property
    def last_sync(self):
        times = [at for _, at in self.facilitators if at]
        return max(times) if times else None

    @cached_property
    def attention(self) -> list[str]:
        """Why this kelurahan needs the supervisor's attention (Indonesian), most urgent first."""
        reasons = []
        if self.late:
            reasons.append(f"Upah terlambat dibayar ({self.late_periods} periode)")
        if self.returned_periods:
            reasons.append(f"{self.returned_periods} periode dikembalikan")
        if self.open_conflicts:
            reasons.append(f"{self.open_conflicts} konflik data terbuka")
        if self.compliance is not None and self.compliance < LOW_COMPLIANCE:
            reasons.append(f"Kepatuhan protokol kesehatan rendah ({self.compliance}%)")
        return reasons


_SUMMED = (
    "workers",
    "women",
    "hok",
    "wages_due",
    "wages_paid",
    "outstanding",
    "late",
    "late_periods",
    "payments_flagged",
    "received",
    "spent",
    "absorbed",
)


def kelurahan_figures(kelurahan_ids, today: date, period=None) -> list[KelurahanFigures]:
    """KelurahanFigures of these kelurahan (with their KSMs), ordered by kota then name."""
    ids = list(kelurahan_ids)
    if not ids:
        return []
    rows = _rows(
        db.select(
            Kelurahan.id,
            Kelurahan.name,
            Kecamatan.id,
            Kecamatan.name,
            Kota.id,
            Kota.name,
            Kelurahan.cfw,
            Kelurahan.dfat,
            Kelurahan.bpm_allocation,
            _count_of(Meeting, Meeting.kelurahan_id == Kelurahan.id, *_between(Meeting.held_on, period)),
            _count_of(Conflict, Conflict.kelurahan_id == Kelurahan.id, Conflict.status == "open"),
        )
        .join(Kecamatan, Kelurahan.kecamatan_id == Kecamatan.id)
        .join(Kota, Kecamatan.kota_id == Kota.id)
        .where(one_of(Kelurahan.id, ids))
        .order_by(Kota.name, Kelurahan.name)
    )
    result = {}
    for *place, cfw, dfat, bpm, meetings, conflicts in rows:
        programmes = [p for p, on in (("CFW", cfw), ("DFAT", dfat)) if on]
        result[place[0]] = KelurahanFigures(
            *place, programme_of(cfw, dfat), programmes, bpm, meetings=meetings, open_conflicts=conflicts
        )
    ksms = ksm_figures(ids, today, period)
    for f in ksms.values():
        result[f.kelurahan_id].ksms.append(f)
    for k in result.values():
        k.ksms.sort(key=lambda f: f.name)
        _add_totals(k)  # summed once: the pages read each total many times
    for kelurahan_id, ksm_id, compliance, n in _checks(ids, period):
        result[kelurahan_id].checks += [compliance] * n
        result[kelurahan_id].health_checks += n
        if ksm_id in ksms:
            ksms[ksm_id].checks += [compliance] * n
    for kelurahan_id, name, at in _rows(
        db.select(user_kelurahan.c.kelurahan_id, User.full_name, User.last_sync_at)
        .join(User, User.id == user_kelurahan.c.user_id)
        .where(one_of(user_kelurahan.c.kelurahan_id, ids), User.role == "fasilitator", User.active.is_(True))
        .order_by(User.full_name)
    ):
        result[kelurahan_id].facilitators.append((name, at))
    _add_targets(result)
    _add_stages(result, today)
    _add_owned(result, ids)
    return list(result.values())


_TOTALS = attrgetter(*_SUMMED)


def _add_totals(k: KelurahanFigures):
    """The kelurahan's money and people totals: the sums of its KSMs'."""
    values = _TOTALS(k.ksms[0]) if len(k.ksms) == 1 else map(sum, zip(*map(_TOTALS, k.ksms), strict=True))
    for name, value in zip(_SUMMED, values, strict=False):
        setattr(k, name, value)


def _add_targets(result):
    """The wage-share target of the programme year of each kelurahan's first KSM."""
    targets = {
        (y.year, y.programme): y.wage_share_target for y in db.session.scalars(db.select(ProgrammeYear)).all()
    }
    for k in result.values():
        if k.ksms:
            year = min(f.start for f in k.ksms).year
            k.target = targets.get((year, k.programme), DEFAULT_WAGE_SHARE_TARGET)


def _add_stages(result, today):
    """The stage each kelurahan has reached, from all it recorded (whatever the date filter)."""
    held = defaultdict(list)
    # Whether a meeting recorded topics is all stages.evidence asks: no need to decode thousands of lists.
    has_topics = cast(Meeting.topics, String).not_in(("[]", "null"))
    for kelurahan_id, kind, topics in _rows(
        db.select(Meeting.kelurahan_id, Meeting.type, has_topics)
        .where(one_of(Meeting.kelurahan_id, result), Meeting.type.in_(stages.STAGES))
        .distinct()
    ):
        held[kelurahan_id].append((kind, topics))
    dfat = dfat_stages([k.id for k in result.values() if k.programme == "DFAT"])
    for k in result.values():
        ended = bool(k.ksms) and max(f.end for f in k.ksms) < today
        k.progress = dfat.get(k.id) or stages.progress(
            stages.evidence(held[k.id]), k.hok, ended, k.wages_due, k.wages_paid
        )


def _add_owned(result, ids):
    """The figures other parts of the programme record (see the functions above)."""
    for kelurahan_id, value in progress_percent(ids).items():
        result[kelurahan_id].progress_percent = value
    for kelurahan_id, (water, sanitation) in water_sanitation(ids).items():
        result[kelurahan_id].water_percent, result[kelurahan_id].sanitation_percent = water, sanitation
    for kelurahan_id, value in wages_overpaid(ids).items():
        result[kelurahan_id].wages_overpaid = value
    for kelurahan_id, (verified, returned) in verified_returned(ids).items():
        result[kelurahan_id].verified_periods = verified
        result[kelurahan_id].returned_periods = returned


def stage_counts(kelurahan: list[KelurahanFigures]) -> list[tuple[str, int]]:
    """(stage label, how many kelurahan stand there), in the order of the stages."""
    counts = defaultdict(int)
    for k in kelurahan:
        counts[k.progress.stage] += 1
    order = dict.fromkeys((None, *stages.STAGES, *stages.DFAT_STAGES))  # DFAT has its own chain
    return [(stages.LABELS[s] if s else "Belum mulai", counts[s]) for s in order]


# --- The machine-readable export (docs/contracts.md) ----------------------------------------------------

COLUMNS = (
    "kelurahan",
    "ksm",
    "workers",
    "women_workers",
    "hok",
    "wages_due",
    "wages_paid",
    "meetings",
    "health_checks",
    "wages_overpaid",
    "payments_flagged",
    "progress_percent",
    "water_access_percent",
    "sanitation_access_percent",
    "verified_periods",
    "returned_periods",
)


def export_row(k: KelurahanFigures) -> dict:
    """One kelurahan's line of export.csv, money in whole rupiah."""
    return {
        "kelurahan": k.name,
        "ksm": len(k.ksms),
        "workers": k.workers,
        "women_workers": k.women,
        "hok": k.hok,
        "wages_due": k.wages_due,
        "wages_paid": k.wages_paid,
        "meetings": k.meetings,
        "health_checks": k.health_checks,
        "wages_overpaid": k.wages_overpaid,
        "payments_flagged": k.payments_flagged,
        "progress_percent": k.progress_percent,
        "water_access_percent": "" if k.water_percent is None else k.water_percent,
        "sanitation_access_percent": "" if k.sanitation_percent is None else k.sanitation_percent,
        "verified_periods": k.verified_periods,
        "returned_periods": k.returned_periods,
    }


# --- One KSM's records, for its page -----------------------------------------------------------


def ksm_meetings(ksm_id) -> list:
    """The KSM's meetings, newest first (photos not loaded)."""
    return db.session.scalars(
        db.select(Meeting).where(Meeting.ksm_id == ksm_id).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()


def ksm_checks(ksm_id) -> list:
    """(check, compliance %) of the KSM's health checks, newest first."""
    rows = db.session.scalars(db.select(HealthCheck).where(HealthCheck.ksm_id == ksm_id)).all()
    return [
        (c, protocol.compliance(c)) for c in sorted(rows, key=lambda c: (c.checked_on, c.id), reverse=True)
    ]


# --- The charts' series over a whole scope ------------------------------------------------------


def hok_per_day(kelurahan_ids, period=None) -> list[tuple]:
    """(day, HOK) over these kelurahan, in day order (the chart's series)."""
    ksms = db.select(Ksm.id).where(one_of(Ksm.kelurahan_id, kelurahan_ids))
    return _rows(
        db.select(HokDaily.work_date, func.sum(HokDaily.present))
        .where(HokDaily.ksm_id.in_(ksms), *_between(HokDaily.work_date, period))
        .group_by(HokDaily.work_date)
        .order_by(HokDaily.work_date)
    )
