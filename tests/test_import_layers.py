"""The import contract: areas talk downward, and no import hides inside a function.

Every module of ``network/`` has a place in one of six layers, bottom to top (the README's Layout
section says the same):

1. **core**: the app's plumbing, which knows no area (extensions, database, types, text, urls, forms,
   config, signals, ...).
2. **records**: each area's models, and the pure rules with no database that other areas read
   (the mentor score, the catalogue of notification kinds).
3. **permissions**: the yes/no rules over those records (``network/permissions/``), and the view
   decorators that ask them (``network.access``).
4. **services**: each area's services, forms and helpers, the areas in the order of ``AREAS``.
5. **entry points**: each area's blueprint (``routes``) and CLI commands; one area's never imports another's.
6. **app**: the wings that use every area (admin, the home page, the top-level CLI) and the app factory.

A module imports from a lower layer, or from its own layer within its area. In the records and
services layers it may also import an area lower in ``AREAS``. When a lower area must cause an effect
in a higher one, it sends a signal (``network/signals.py``) that the higher area connects to.

The demo data builders may reach anywhere: they are the only exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "network"

#: The feature areas, bottom to top: an area's services may use the services of the areas before it.
AREAS = ("audit", "mail", "members", "notifications", "programs", "taxonomy", "profiles", "mentorship",
         "matching", "messages", "auth", "discussions", "cohorts", "identity", "opportunities", "scholarly",
         "scholarly_exports", "reminders", "cockpit", "surveys", "export", "evaluation", "classmates")

CORE, RECORDS, PERMISSIONS, SERVICES, ENTRY_POINTS, APP = range(6)
LAYER_NAMES = ("core", "records", "permissions", "services", "entry points", "app")

#: Modules of ``network/`` itself (and subpackages) that are core: they import no area.
CORE_MODULES = ("network.cache", "network.config", "network.confirmation", "network.database",
                "network.downloads", "network.errors", "network.extensions", "network.forms", "network.integers",
                "network.logging", "network.search", "network.security", "network.signals", "network.text",
                "network.types", "network.urls", "network.years")
#: The yes/no rules (one package, a module per area) and the view decorators that ask them.
PERMISSION_MODULES = ("network.permissions", "network.access")
#: Pure rules (no database, no area above them) that lower areas read; they sit with the records.
PURE_RULES = ("network.auth.passwords", "network.auth.sealing", "network.matching.engine",
              "network.matching.rounds", "network.matching.scoring", "network.notifications.kinds",
              "network.notifications.unsubscribe")
#: The wings above every area, and the app factory.
APP_MODULES = ("network", "network.admin", "network.api", "network.cli", "network.main", "network.models",
               "network.templating")
#: The only modules allowed to reach anywhere: the demo data builders.
DEMO = ("network.demo",) + tuple(f"network.{area}.demo" for area in AREAS)


def _within(module: str, prefixes) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def layer_of(module: str) -> tuple[int, str | None]:
    """(layer, area) of a module of ``network``."""
    if module in ("network", "network.models") or _within(module, APP_MODULES[1:]) or module in DEMO:
        return APP, None
    if _within(module, CORE_MODULES):
        return CORE, None
    if _within(module, PERMISSION_MODULES):
        return PERMISSIONS, None
    parts = module.split(".")
    area = parts[1]
    assert area in AREAS, f"{module}: its area {area!r} has no place in AREAS"
    if len(parts) == 2 or module in PURE_RULES or parts[2] == "models":
        return RECORDS, area
    if parts[2] in ("routes", "cli"):
        return ENTRY_POINTS, area
    return SERVICES, area


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path):
    """Every import of the module: (line, imported module or ``module.name``, inside a function?)."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py")


def imports_in(source: str, module: str, *, is_package: bool = False):
    package = module if is_package else module.rpartition(".")[0]
    found = []

    def walk(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.extend((child.lineno, f"{base}.{alias.name}", in_function) for alias in child.names)
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(ast.parse(source), False)
    return found


def network_module(name: str) -> str | None:
    """The module of ``network`` an import names (``network.x.y.Name`` → ``network.x.y``), or None."""
    if name.split(".")[0] != "network":
        return None
    parts = name.split(".")
    while parts:
        candidate = PACKAGE.parent.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    raise AssertionError(f"{name} names no module of network")


def allowed(importer: str, imported: str) -> bool:
    (layer, area), (target_layer, target_area) = layer_of(importer), layer_of(imported)
    if target_layer < layer:
        return True
    if target_layer > layer:
        return False
    if layer in (CORE, APP) or area == target_area:
        return True
    if layer in (RECORDS, SERVICES):
        return AREAS.index(target_area) < AREAS.index(area)
    return False  # one area's blueprint never imports another's


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if module_name(p) not in DEMO)


def test_every_module_has_a_layer():
    for path in MODULES:
        layer_of(module_name(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_go_down_the_layers(path):
    importer = module_name(path)
    wrong = []
    for line, name, _ in imports_of(path):
        imported = network_module(name)
        if imported is not None and imported != importer and not allowed(importer, imported):
            (layer, area), (up, up_area) = layer_of(importer), layer_of(imported)
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}: {LAYER_NAMES[up]} "
                         f"{up_area or ''} is above {LAYER_NAMES[layer]} {area or ''}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_import_hides_inside_a_function(path):
    """An import inside a function hides a cycle (or a dependency) from the reader: imports go on top."""
    hidden = [f"{path.relative_to(ROOT)}:{line} imports {name} inside a function"
              for line, name, in_function in imports_of(path) if in_function]
    assert not hidden, "\n".join(hidden)


def test_the_contract_sees_an_upward_import():
    """The walk finds imports inside functions and relative ones, and refuses them upward."""
    assert not allowed("network.taxonomy.services", "network.profiles.services")
    assert not allowed("network.mail.services", "network.notifications.services")
    assert not allowed("network.auth.routes", "network.admin.models")
    assert not allowed("network.profiles.routes", "network.auth.routes")
    assert not allowed("network.permissions", "network.discussions.services")
    assert allowed("network.profiles.services", "network.taxonomy.models")
    assert allowed("network.mentorship.queries.recommendations", "network.matching.scoring")
    hidden = "def create_cohort():\n    from ..discussions.services import ensure_cohort_categories\n"
    assert imports_in(hidden, "network.programs.routes") == [
        (2, "network.discussions.services.ensure_cohort_categories", True)]
