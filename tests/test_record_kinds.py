"""The record-kind contract (kotaku_pwa/records/): the registry, the insert order, and the import rules
that keep the kinds below the sync engine and the programme rules free of Flask and SQLAlchemy."""

import ast
import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest

import kotaku_pwa
from kotaku_pwa.records.kind import KsmRecordKind, RecordKind, in_dependency_order
from kotaku_pwa.records.registry import INSERT_ORDER, KINDS, WRITERS

PACKAGE = Path(kotaku_pwa.__file__).parent
WRITING_ROLES = {"fasilitator", "bendahara", "supervisor", "admin"}  # supervisors write verifications only


def kind(name, after=()):
    return SimpleNamespace(name=name, after=after)


def names(kinds):
    return [k.name for k in kinds]


def test_dependency_order_puts_a_kind_after_the_kinds_it_names():
    given = [kind("payment", ("worker",)), kind("check", ("meeting",)), kind("worker"), kind("meeting")]
    assert names(in_dependency_order(given)) == ["worker", "payment", "meeting", "check"]


def test_dependency_order_keeps_the_given_order_when_nothing_is_declared():
    assert names(in_dependency_order([kind("b"), kind("a"), kind("c")])) == ["b", "a", "c"]


def test_dependency_order_follows_chains():
    given = [kind("c", ("b",)), kind("b", ("a",)), kind("a")]
    assert names(in_dependency_order(given)) == ["a", "b", "c"]


def test_dependency_order_refuses_a_loop():
    with pytest.raises(ValueError, match="loop"):
        in_dependency_order([kind("a", ("b",)), kind("b", ("a",))])


def test_dependency_order_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown"):
        in_dependency_order([kind("attendance", ("pekerja",))])


def test_the_batch_inserts_what_a_row_names_before_the_row():
    order = names(INSERT_ORDER)
    assert sorted(order) == sorted(KINDS)
    for k in INSERT_ORDER:
        for earlier in k.after:
            assert order.index(earlier) < order.index(k.name)
    assert order.index("worker") < order.index("attendance")
    assert order.index("worker") < order.index("payment")
    assert order.index("meeting") < order.index("health_check")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_declares_its_contract(name):
    k = KINDS[name]
    assert isinstance(k, RecordKind)
    assert k.name == name
    assert k.model is not None and hasattr(k.model, "uuid") and hasattr(k.model, "payload_hash")
    assert k.writers and set(k.writers) <= WRITING_ROLES
    assert WRITERS[name] == k.writers
    # A kind with a domain key says why a second record for it waits for a supervisor.
    if type(k).existing_keys is not RecordKind.existing_keys:
        assert k.clash_reason
    # Keeping the incoming side is declared, and then implemented.
    if k.can_keep_incoming:
        assert type(k).keep_incoming is not RecordKind.keep_incoming
    # The kind's module is named after it, in its area's folder (workers/worker.py...).
    assert inspect.getmodule(type(k)).__name__.rsplit(".", 1)[1] == name


def test_a_ksm_kind_locates_by_ksm_id():
    class Batch:
        def ksm(self, ksm_id):
            return {7: "ksm 7"}.get(ksm_id)

    from kotaku_pwa.records.fields import Reader

    found = Reader({"ksm_id": 7})
    assert KsmRecordKind().locate(found, Batch()) == "ksm 7" and not found.errors
    unknown = Reader({"ksm_id": 8})
    assert KsmRecordKind().locate(unknown, Batch()) is None
    assert unknown.errors == {"ksm_id": "KSM tidak dikenal."}


def test_default_hooks():
    base = RecordKind()
    assert base.existing_keys(batch=None) == {}
    assert base.remember(row=None, batch=None) is None
    assert base.can_keep_incoming is False
    with pytest.raises(NotImplementedError):
        base.keep_incoming(None, None, None)


# --- import rules ----------------------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The absolute names of the modules a file imports (relative imports resolved)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)  # `from .. import sync`
    return found


def path_of(name: str) -> Path | None:
    """The file of a kotaku_pwa module, or None for a package or something outside it."""
    if not name.startswith("kotaku_pwa."):
        return None
    file = PACKAGE.parent.joinpath(*name.split(".")).with_suffix(".py")
    return file if file.exists() else None


def reachable(paths):
    """The files imported from `paths`, following plain modules (a package's __init__ registers its views
    and is not what a kind uses)."""
    todo, seen = list(paths), set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(p for p in map(path_of, imported(path)) if p is not None)
    return seen


KIND_FILES = sorted(
    {Path(inspect.getfile(type(k))) for k in KINDS.values()} | set(PACKAGE.glob("records/*.py"))
)


def test_the_import_walk_sees_relative_imports():
    # The engine imports the registry with `from ..records.registry import ...`.
    assert "kotaku_pwa.records.registry" in imported(PACKAGE / "sync" / "engine.py")
    assert "kotaku_pwa.workers.worker" in imported(PACKAGE / "attendance" / "attendance.py")


def test_kind_modules_are_the_ones_named_after_kinds():
    assert {p.stem for p in KIND_FILES} >= set(KINDS)


@pytest.mark.parametrize("path", KIND_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_kind_module_imports_the_sync_package(path):
    for file in reachable([path]):
        leaks = {
            name
            for name in imported(file)
            if name == "kotaku_pwa.sync" or name.startswith("kotaku_pwa.sync.")
        }
        assert not leaks, f"{file.relative_to(PACKAGE)} imports {leaks}"


# Programme rules as pure functions, and the vocabulary and table of roles they read.
PURE = [
    "nik",
    "eligibility",
    "wages",
    "ledger",
    "protocol",
    "stages",
    "terbilang",
    "workdays",
    "scope",
    "images",
    "formatting",
    "vocabulary",
    "roles",
    "physical",
]
PURE_PATHS = [PACKAGE / f"{name}.py" for name in PURE] + [
    PACKAGE / "records" / "kind.py",
    PACKAGE / "records" / "fields.py",
]
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "kotaku_pwa.models", "kotaku_pwa.database")


@pytest.mark.parametrize("path", PURE_PATHS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rule_modules_import_nothing_of_flask_or_sqlalchemy(path):
    for file in reachable([path]):
        names = imported(file)
        bad = {n for n in names if n.startswith(FORBIDDEN)} | ({"kotaku_pwa.db"} & names)
        assert not bad, f"{file.relative_to(PACKAGE)} imports {bad}"


@pytest.mark.parametrize("path", [PACKAGE / "sync" / "engine.py", PACKAGE / "conflicts" / "resolve.py"])
def test_the_engine_and_the_conflicts_call_declared_hooks_only(path):
    # A hook found with getattr/hasattr is a contract nobody declared (records/kind.py declares them).
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("getattr", "hasattr"):
            named = {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
            assert not named & {"kind", "KINDS", "INSERT_ORDER"}, ast.unparse(node)
