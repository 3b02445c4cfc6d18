"""One way to do each small thing (issue 19): the code and templates are scanned, so a new route, button,
list or command written the old way fails here, with the place to change in the message."""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
NETWORK = ROOT / "network"
TEMPLATES = ROOT / "templates"


def _sources(pattern: str = "*.py"):
    return sorted(NETWORK.rglob(pattern))


def _route_modules():
    """Each area's views: ``routes.py``, or every module of a ``routes/`` package."""
    return [path for path in _sources() if path.name == "routes.py" or path.parent.name == "routes"]


def _name(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT))


def test_views_load_with_get_or_404_instead_of_a_lookup_and_abort_by_hand():
    by_hand = re.compile(r"(\w+) = db\.session\.(get\(.*\)|scalars\(.*\)\.first\(\))\n\s+if \1 is None( or [^\n]*)?:\n"
                         r"\s+abort\(404\)|db\.session\.get\([^\n]*\) or abort\(404\)")
    found = [f"{_name(path)}: {match.group(0).splitlines()[0].strip()}" for path in _route_modules()
             for match in by_hand.finditer(path.read_text())]
    assert found == [], "use db.get_or_404 / db.first_or_404"


def test_no_form_class_exists_only_to_carry_the_csrf_token():
    """CSRFProtect checks every POST before the view runs; ``button_form`` renders the token."""
    empty = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(getattr(base, "id", "") == "FlaskForm" for base in node.bases):
                fields = [item for item in node.body if isinstance(item, (ast.Assign, ast.AnnAssign, ast.FunctionDef))]
                if not fields:
                    empty.append(f"{_name(path)}: {node.name}")
    assert empty == []


_POST_FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.DOTALL)
_HIDDEN = re.compile(r'<input type="hidden"[^>]*>')
#: Directory cards render many save buttons with one token computed once per page.
_HAND_WRITTEN_BUTTONS = {"templates/profiles/_card.html"}


def test_every_one_button_post_form_is_the_button_form_macro():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.parent.name == "_macros" or _name(path) in _HAND_WRITTEN_BUTTONS:
            continue
        text = path.read_text()
        for match in _POST_FORM.finditer(text):
            form = match.group(1).replace("{{ csrf_field() }}", "").replace("{{ form.hidden_tag() }}", "")
            body = _HIDDEN.sub("", form)
            buttons = re.findall(r"<button\b.*?</button>", body, re.DOTALL)
            rest = re.sub(r"<button\b.*?</button>", "", body, flags=re.DOTALL).strip()
            if len(buttons) == 1 and not rest:
                found.append(f"{_name(path)}:{text[:match.start()].count(chr(10)) + 1}")
    assert found == [], "use button_form from templates/_macros/forms.html"


def test_every_paged_list_uses_the_pager_macros():
    hand_made = re.compile(r'class="pagination|>(Older|Newer)\b[^<]*</a>')
    found = [_name(path) for path in sorted(TEMPLATES.rglob("*.html"))
             if path.name != "pager.html" and hand_made.search(path.read_text())]
    assert found == [], "use pager or link_pager from templates/_macros/pager.html"


def test_commands_live_in_the_cli_module_of_their_area(app):
    in_views = [_name(path) for path in _route_modules() if ".cli.command(" in path.read_text()]
    assert in_views == []
    assert "cli_group=" not in (NETWORK / "__init__.py").read_text()
    commands = dict(app.cli.commands)
    for name, command in commands.items():
        module = command.callback.__module__ if command.callback else type(command).__module__
        if name in ("db", "limiter", "openapi", "routes", "run", "shell"):  # Flask's and its extensions' own
            continue
        for sub in getattr(command, "commands", {}).values():
            assert sub.callback.__module__.endswith(".cli"), (name, sub.name, sub.callback.__module__)
        if command.callback is not None and not hasattr(command, "commands"):
            assert module.endswith(".cli"), (name, module)
    # Every command the README lists is there, under its documented name.
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `flask ([a-z-]+)", readme, re.MULTILINE))
    assert documented and documented <= set(commands)


#: Where a module holds two jobs it shows in its length (STYLE.md: split reads from writes, one job a module).
MODULE_LINES = 400


def test_no_module_is_longer_than_one_job():
    long = {_name(path): lines for path in _sources() if (lines := len(path.read_text().splitlines())) > MODULE_LINES}
    assert long == {}, f"split these by job (reads apart from writes), each under {MODULE_LINES} lines"


def test_the_views_are_found_where_they_live():
    """The scans above read every view module, so a routes package cannot hide one."""
    found = {_name(path) for path in _route_modules()}
    assert "network/main/routes.py" in found
    assert len(found) >= 14
