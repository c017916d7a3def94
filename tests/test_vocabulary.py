"""The programme's vocabulary lives in one plain module, and the rule modules stay plain Python:
no Flask, no SQLAlchemy, no ORM models, not even through the modules they import."""

import ast
from pathlib import Path

import pytest

from kotaku_pwa import models, vocabulary, wages
from kotaku_pwa.roles import ROLE_LABELS

PACKAGE = Path(__file__).resolve().parent.parent / "kotaku_pwa"
RULE_MODULES = [
    "wages",
    "ledger",
    "protocol",
    "stages",
    "workdays",
    "nik",
    "eligibility",
    "terbilang",
    "formatting",
    "vocabulary",
    "roles",
    "scope",
]
FORBIDDEN = {
    "flask",
    "flask_login",
    "flask_wtf",
    "flask_sqlalchemy",
    "flask_migrate",
    "sqlalchemy",
    "werkzeug",
}


def _imports(module: str) -> set[str]:
    """Dotted names a module of the package imports (at any depth of its code), relative ones resolved."""
    tree = ast.parse((PACKAGE / f"{module.replace('.', '/')}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module)
                continue
            base = ["kotaku_pwa", *module.split(".")[:-1]][: max(len(module.split(".")) - node.level + 1, 1)]
            parent = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                child = f"{parent}.{alias.name}"
                # `from . import scope` imports a module; `from . import db` a name of the package.
                names.add(child if (PACKAGE / f"{child.removeprefix('kotaku_pwa.')}.py").exists() else parent)
    return names


def _reachable(module: str) -> set[str]:
    """Every import of the module and, inside the package, of the modules it imports."""
    seen, todo, found = set(), [module], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in _imports(current):
            found.add(name)
            inner = name.removeprefix("kotaku_pwa.")
            if name.startswith("kotaku_pwa.") and (PACKAGE / f"{inner.replace('.', '/')}.py").exists():
                todo.append(inner)
    return found


def test_the_import_reader_sees_what_a_model_module_imports():
    """The check below would catch a rule module importing these."""
    found = _reachable("payments.queries")
    assert "kotaku_pwa.models" in found
    assert "kotaku_pwa" in found  # `from .. import db`: the Flask app package
    assert "sqlalchemy" in found


@pytest.mark.parametrize("module", RULE_MODULES)
def test_rule_modules_import_no_flask_sqlalchemy_or_models(module):
    found = _reachable(module)
    top = {name.split(".")[0] for name in found}
    assert not top & FORBIDDEN, sorted(top & FORBIDDEN)
    assert "kotaku_pwa.models" not in found
    assert "kotaku_pwa" not in found, "imports a name of the Flask app package"


def test_wages_and_models_share_the_vocabularys_wage_categories():
    assert vocabulary.WAGE_CATEGORIES == ("pekerja", "tukang", "mandor")
    assert models.WAGE_CATEGORIES is vocabulary.WAGE_CATEGORIES
    assert list(wages.rates_in_force({"pekerja": 1, "tukang": 2, "mandor": 3}, {"tukang": 5})) == [
        "pekerja",
        "tukang",
        "mandor",
    ]


def test_every_code_list_has_a_label_for_each_code():
    assert set(vocabulary.CATEGORY_LABELS) == set(vocabulary.WAGE_CATEGORIES)
    assert set(vocabulary.PAY_PERIOD_LABELS) == set(vocabulary.PAY_PERIODS)
    assert set(vocabulary.PERIOD_LABELS) == set(vocabulary.PAY_PERIODS)
    assert set(vocabulary.PERIOD_DAYS) == set(vocabulary.PAY_PERIODS)
    assert set(vocabulary.SPENDING_CATEGORY_LABELS) == set(vocabulary.SPENDING_CATEGORIES)
    assert vocabulary.PROGRAMMES == ("CFW", "DFAT")


def test_roles_labels_have_one_home():
    assert vocabulary.ROLE_LABELS is ROLE_LABELS
