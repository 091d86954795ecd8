"""The shape of the code: layers import only downwards, views stay thin, and the staff
console holds screens, not rules.

These read the source with `ast` (nothing is imported), so a function-level import counts
as much as one at the top of a file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "petition"

# Low to high. A module may import from its own layer and the layers below it, never above.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"config", "models", "extensions", "ratelimit"}),
    frozenset(
        {
            "access_log",
            "audit",
            "cells",
            "countries",
            "database",
            "errors",
            "forms",
            "i18n",
            "labels",
            "link_pages",
            "logs",
            "mail",
            "metrics",
            "onion",
            "ops",
            "page_cache",
            "personal",
            "privacy",
            "private_files",
            "public_limits",
            "sealing",
            "security",
            "tokens",
        }
    ),
    frozenset({"campaigns"}),
    frozenset({"signing", "coalition"}),
    frozenset({"delivery", "exports", "retention"}),
    frozenset({"worker", "api", "demo", "preflight", "backups"}),
    frozenset({"staff"}),
    frozenset({"cli"}),
    frozenset({"__init__", "wsgi"}),
)
LAYER_OF = {unit: level for level, units in enumerate(LAYERS) for unit in units}
MAX_VIEW_LINES = 15
# What petition/staff/ holds besides one folder per screen.
CONSOLE_MODULES = {"__init__", "auth", "blueprint", "forms", "menu", "permissions", "views"}


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] == "migrations":
            continue
        yield ".".join(parts), path, ast.parse(path.read_text(), filename=str(path))


def unit_of(dotted: str) -> str:
    """The top-level module or package of `petition`, as LAYERS names them."""
    return dotted.split(".", maxsplit=1)[0]


def imported_units(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "petition":
                for alias in node.names:
                    yield node.lineno, alias.name
            elif node.module.startswith("petition."):
                yield node.lineno, unit_of(node.module.removeprefix("petition."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("petition."):
                    yield node.lineno, unit_of(alias.name.removeprefix("petition."))


def test_every_module_has_a_layer() -> None:
    units = {unit_of(name) for name, _, _ in modules()}
    assert units - LAYER_OF.keys() == set(), "add the new module to a layer in LAYERS"


def test_no_module_imports_from_a_layer_above_it() -> None:
    upward = []
    for name, path, tree in modules():
        level = LAYER_OF[unit_of(name)]
        for line, unit in imported_units(tree):
            if unit in LAYER_OF and LAYER_OF[unit] > level:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports petition.{unit}")
    assert upward == []


def test_every_import_of_the_package_is_absolute_and_known() -> None:
    odd = []
    for name, _, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                odd.append(f"{name}:{node.lineno} relative import")
        odd += [
            f"{name}:{line} petition.{unit}?"
            for line, unit in imported_units(tree)
            if unit not in LAYER_OF and unit != "create_app"
        ]
    assert odd == []


def test_packages_of_one_layer_do_not_import_each_other_both_ways() -> None:
    arrows = {
        (unit_of(name), unit)
        for name, _, tree in modules()
        for _, unit in imported_units(tree)
        if unit != unit_of(name)
    }
    assert {(a, b) for a, b in arrows if (b, a) in arrows} == set()


def route_functions() -> Iterator[tuple[str, ast.FunctionDef]]:
    for name, _, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(map(is_route, node.decorator_list)):
                yield name, node


def is_route(decorator: ast.expr) -> bool:
    """`@bp.get(...)`, `@bp.route(...)`, … on any blueprint."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in {"route", "get", "post"}
    )


def body_lines(function: ast.FunctionDef) -> int:
    body = function.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1 if body else 0


def test_the_views_are_found() -> None:
    names = {function.name for _, function in route_functions()}
    assert {"sign", "join", "sign_in", "audit_trail", "home"} <= names


def test_every_view_is_at_most_fifteen_lines() -> None:
    long = [
        f"{module}.{function.name}: {body_lines(function)} lines"
        for module, function in route_functions()
        if body_lines(function) > MAX_VIEW_LINES
    ]
    assert long == []


def test_the_console_is_screens_and_sign_in() -> None:
    staff = PACKAGE / "staff"
    loose = {path.stem for path in staff.glob("*.py")} - CONSOLE_MODULES
    assert loose == set(), "a console module belongs in staff/<screen>/ or in its aggregate"
    for screen in (path for path in staff.iterdir() if (path / "__init__.py").is_file()):
        assert (screen / "views.py").is_file(), f"staff/{screen.name}/ has no views.py"
