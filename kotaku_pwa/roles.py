"""One table of roles: who each role is, where it works, what it sees and what it may do.

Plain Python (no Flask, no SQLAlchemy). The role checks on views (`access.may`), the scope rule and
queries (`scope.can_read`, `access.kelurahan_query`/`ksm_query`), the bottom navigation
(templates/_nav.html), the pages kept offline (pwa/pages.py) and the admin user form's choices are all
read from `ROLES`; README.md "Roles" explains the table.
"""

from dataclasses import dataclass

# Where a role works: everything, one kota, the kelurahan assigned to the user, or one KSM.
SCOPES = ("all", "kota", "kelurahan", "ksm")

# What a role may do on views, beyond reading what is in its scope.
CAPABILITIES = {
    "record_workers": "register workers (the registration form)",
    "record_meetings": "record meetings (the meeting form)",
    "record_health": "record health-protocol checks",
    "pay": "pay wages and reverse payments",
    "record_dfat": "record DFAT water/sanitation surveys, the TIPP register, problems and needs",
    "review": "verify, resolve conflicts, export the kota's figures",
    "verify": "verify or return a KSM's pay period (the verification form)",
    "admin": "manage the reference data and the user accounts",
}
# The record kind each form-opening capability writes: the roles holding it are the kind's writers
# (tests/test_roles.py keeps the two in step).
CAPABILITY_KINDS = {
    "record_workers": "worker",
    "record_meetings": "meeting",
    "record_health": "health_check",
    "pay": "payment",
    "record_dfat": "watsan_survey",
    "verify": "verification",
}

MAX_NAV_ITEMS = 5  # what fits the bottom bar of a 360 px field phone


@dataclass(frozen=True)
class NavItem:
    """One entry of the bottom navigation."""

    endpoint: str
    label: str


@dataclass(frozen=True)
class Role:
    """A role's row of the table."""

    name: str
    label: str  # Indonesian, shown in the admin screens
    scope: str  # one of SCOPES
    home: str  # endpoint of the page after sign-in
    nav: tuple[NavItem, ...]
    # Pages warmed into the phone's cache after sign-in (pwa/pages.py): endpoints without arguments,
    # endpoints opened for every kelurahan in scope, endpoints opened for every KSM in scope.
    offline: tuple[str, ...] = ()
    offline_per_kelurahan: tuple[str, ...] = ()
    offline_per_ksm: tuple[str, ...] = ()
    may: frozenset = frozenset()
    writes: frozenset = frozenset()  # the record kinds it sends to /api/sync (docs/sync-protocol.md)
    # What does not fit the bottom bar: listed on the "Lainnya" page (home.more), which `nav` links.
    more: tuple[NavItem, ...] = ()


HOME = NavItem("home.index", "Beranda")
OUTBOX = NavItem("pwa.outbox", "Kotak keluar")
MORE = NavItem("home.more", "Lainnya")

ROLES = {
    role.name: role
    for role in (
        Role(
            name="fasilitator",
            label="Fasilitator",
            scope="kelurahan",
            home="home.index",
            nav=(
                HOME,
                NavItem("workers.index", "Pekerja"),
                NavItem("attendance.index", "Kehadiran"),
                NavItem("meetings.index", "Pertemuan"),
                OUTBOX,
            ),
            offline=(
                "home.index",
                "pwa.outbox",
                "workers.index",
                "attendance.index",
                "meetings.index",
                "meetings.new",
            ),
            # dfat.* pages only for the DFAT kelurahan among them (pwa/pages.py)
            offline_per_kelurahan=("meetings.new", "dfat.kelurahan", "dfat.survey_new"),
            offline_per_ksm=(
                "attendance.day",
                "workers.index",
                "workers.new",
                "meetings.health",
                "payments.current",  # "Daftar upah" on the home page
                "progress.page",  # the progress report form
            ),
            may=frozenset({"record_workers", "record_meetings", "record_health", "record_dfat"}),
            writes=frozenset(
                {"worker", "meeting", "attendance", "health_check", "progress", "watsan_survey"}
            ),
        ),
        Role(
            name="bendahara",
            label="Bendahara KSM",
            scope="ksm",
            home="home.index",
            nav=(
                HOME,
                NavItem("attendance.index", "Kehadiran"),
                NavItem("payments.index", "Upah"),
                NavItem("meetings.index", "Prokes"),  # only the health checks of their KSM
                OUTBOX,
            ),
            offline=(
                "home.index",
                "pwa.outbox",
                "attendance.index",
                "meetings.index",
                "payments.index",
            ),
            offline_per_ksm=(
                "attendance.day",
                "workers.index",
                "meetings.health",
                "payments.current",
                "payments.ledger_page",
                "payments.period",  # every pay period begun so far
            ),
            may=frozenset({"record_health", "pay"}),
            # The KSM ledger (issue 4): tranche receipts and non-wage spending, kept by the treasurer.
            writes=frozenset({"attendance", "health_check", "payment", "tranche", "spending"}),
        ),
        Role(
            name="supervisor",
            label="Supervisor",
            scope="kota",
            home="home.index",
            # Mostly on a laptop, but the bar must fit a 360 px phone: five items, the rest on "Lainnya".
            nav=(
                HOME,
                NavItem("dashboard.index", "Dasbor"),
                NavItem("conflicts.index", "Konflik"),
                MORE,
                OUTBOX,
            ),
            more=(
                NavItem("verification.index", "Verifikasi periode upah"),
                NavItem("audit.index", "Jejak audit"),
                NavItem("meetings.index", "Pertemuan dan tahapan"),
                NavItem("dashboard.export_csv", "Ekspor CSV kelurahan"),
            ),
            offline=("home.index", "pwa.outbox"),
            offline_per_ksm=("attendance.day", "workers.index"),
            may=frozenset({"review", "verify"}),
            writes=frozenset({"verification"}),
        ),
        Role(
            name="admin",
            label="Admin",
            scope="all",
            home="home.index",
            nav=(
                HOME,
                NavItem("workers.index", "Pekerja"),
                NavItem("conflicts.index", "Konflik"),
                NavItem("org.index", "Admin"),
                OUTBOX,
            ),
            offline=("home.index", "pwa.outbox", "workers.index"),
            offline_per_ksm=("attendance.day", "workers.index", "workers.new"),
            may=frozenset(CAPABILITIES),
            writes=frozenset(
                {
                    "worker",
                    "meeting",
                    "attendance",
                    "health_check",
                    "payment",
                    "tranche",
                    "spending",
                    "watsan_survey",
                    "verification",
                    "progress",
                }
            ),
        ),
    )
}

ROLE_LABELS = {name: role.label for name, role in ROLES.items()}


def scope_of(role: str) -> str | None:
    """Where a role works (one of SCOPES); None for an unknown role."""
    return ROLES[role].scope if role in ROLES else None


def allows(role: str, capability: str) -> bool:
    """True when the role may do `capability` (a key of CAPABILITIES)."""
    return role in ROLES and capability in ROLES[role].may


def holders(capability: str) -> set[str]:
    """The roles that may do `capability`."""
    return {name for name, role in ROLES.items() if capability in role.may}


def nav(role: str | None) -> tuple[NavItem, ...]:
    """The bottom navigation of a role; signed-out pages (the offline shell) keep home and outbox."""
    return ROLES[role].nav if role in ROLES else (HOME, OUTBOX)


def kinds_written(role: str) -> frozenset:
    """The record kinds the role writes (docs/sync-protocol.md)."""
    return ROLES[role].writes if role in ROLES else frozenset()


def writers_of(kind: str) -> frozenset:
    """The roles that write a record kind: what each kind declares as its writers (records/kind.py)."""
    return frozenset(name for name, role in ROLES.items() if kind in role.writes)
