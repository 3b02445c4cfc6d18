"""Every permission rule lives in ``network/permissions``, and the category-visibility rule answers the same
in each of its forms: the yes/no rule the routes ask, the SQL condition the lists use, and the batch form
that picks who is told about a post.

Where the three copies disagreed (before they were one): the SQL conditions (lists, search, moderation queue)
answered for any account, so a pending account was shown the open categories and a pending faculty member the
lounge and its moderation, where ``can_view_category`` and the notifications refused both."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

import network
from network.extensions import db

NETWORK = Path(network.__file__).parent
PERMISSIONS = NETWORK / "permissions"
TEMPLATES = NETWORK.parent / "templates"

#: A rule is a function named ``can_*`` or ``may_*``.
RULE_NAME = re.compile(r"_*(can|may)_")
#: A template deciding by role by itself instead of asking ``permissions.<rule>(current_user, ...)``.
#: Showing the role (``current_user.role.label``) is fine; comparing it is a rule.
TEMPLATE_ROLE_CHECK = re.compile(r"current_user\.(role(\.value)?\s*(==|!=|\bin\b|\bnot in\b)|is_admin\b|is_staff\b)")


def _python_files_outside_permissions():
    for path in sorted(NETWORK.rglob("*.py")):
        if PERMISSIONS not in path.parents:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_every_rule_is_defined_in_the_permissions_package():
    misplaced = [f"{path.relative_to(NETWORK.parent)}:{node.lineno} {node.name}"
                 for path, tree in _python_files_outside_permissions() for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and RULE_NAME.match(node.name)]
    assert misplaced == [], "permission rules belong in network/permissions: " + ", ".join(misplaced)


def _is_current_user_role(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in ("role", "is_admin", "is_staff")
            and isinstance(node.value, ast.Name) and node.value.id == "current_user")


def test_no_route_or_service_decides_by_the_signed_in_members_role_itself():
    """``current_user.role == ...`` in a view is a rule written outside permissions (``has_role`` and the
    named rules answer it)."""
    found = []
    for path, tree in _python_files_outside_permissions():
        for node in ast.walk(tree):
            compared = ([node.left, *node.comparators] if isinstance(node, ast.Compare)
                        else [node.test] if isinstance(node, ast.If | ast.IfExp) else [])
            if any(_is_current_user_role(side) for side in compared):
                found.append(f"{path.relative_to(NETWORK.parent)}:{node.lineno}")
    assert found == [], "ask a rule of network.permissions instead: " + ", ".join(found)


def test_templates_ask_the_permission_rules_instead_of_comparing_roles():
    found = [f"{path.relative_to(TEMPLATES.parent)}:{number}"
             for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if TEMPLATE_ROLE_CHECK.search(line)]
    assert found == [], "use permissions.<rule>(current_user, ...) as the route does: " + ", ".join(found)


def test_the_checks_above_catch_what_they_look_for():
    """The patterns find the shapes they forbid (so an empty list above means something)."""
    assert RULE_NAME.match("can_view_thread") and RULE_NAME.match("_may_join") and not RULE_NAME.match("scan_it")
    assert TEMPLATE_ROLE_CHECK.search("{% if current_user.role == 'admin' %}")
    assert TEMPLATE_ROLE_CHECK.search("{% if current_user.role.value in ('alumni', 'faculty') %}")
    assert TEMPLATE_ROLE_CHECK.search("{% if current_user.is_admin %}")
    assert not TEMPLATE_ROLE_CHECK.search("{{ current_user.role.label }}")
    tree = ast.parse("if current_user.role == Role.ADMIN:\n    pass\nx = 1 if current_user.is_admin else 2\n")
    assert sum(_is_current_user_role(side) for node in ast.walk(tree) if isinstance(node, ast.Compare)
               for side in [node.left, *node.comparators]) == 1
    assert sum(_is_current_user_role(node.test) for node in ast.walk(tree) if isinstance(node, ast.IfExp)) == 1


# -- the category-visibility rule in its three forms ---------------------------------------------------------

#: (name, role, status, in the cohort, deleted, program staff)
PEOPLE = [
    ("fellow in the cohort", "fellow", "verified", True, False, False),
    ("fellow of another cohort", "fellow", "verified", False, False, False),
    ("alumna in the cohort", "alumni", "verified", True, False, False),
    ("faculty advisor of the cohort", "faculty", "verified", True, False, False),
    ("faculty running the program", "faculty", "verified", True, False, True),
    ("faculty of another cohort", "faculty", "verified", False, False, False),
    ("administrator", "admin", "verified", False, False, False),
    ("pending fellow in the cohort", "fellow", "pending", True, False, False),
    ("pending faculty", "faculty", "pending", False, False, False),
    ("rejected fellow in the cohort", "fellow", "rejected", True, False, False),
    ("deleted fellow in the cohort", "fellow", "verified", True, True, False),
    ("deleted administrator", "admin", "verified", False, True, False),
]

#: Who sees each category: every verified, undeleted member sees the open one; faculty (and admins) the
#: lounge; the cohort's members (and admins) its category; a pending, rejected or deleted account nothing.
SEES = {
    "members": {"fellow in the cohort", "fellow of another cohort", "alumna in the cohort",
                "faculty advisor of the cohort", "faculty running the program", "faculty of another cohort",
                "administrator"},
    "faculty": {"faculty advisor of the cohort", "faculty running the program", "faculty of another cohort",
                "administrator"},
    "cohort": {"fellow in the cohort", "alumna in the cohort", "faculty advisor of the cohort",
               "faculty running the program", "administrator"},
}

#: Who moderates each: admins everywhere; faculty the lounge, and the categories of their cohorts of the
#: programs they run (a cohort's faculty advisor who is not its program's staff does not).
MODERATES = {
    "members": {"administrator"},
    "faculty": {"faculty advisor of the cohort", "faculty running the program", "faculty of another cohort",
                "administrator"},
    "cohort": {"faculty running the program", "administrator"},
}


@pytest.fixture
def visibility_world(app, make_user):
    """A program with two cohorts, the people above, and an open, a faculty-only and a cohort category."""
    from network.discussions.models import Category, CategoryVisibility
    from network.members.models import User
    from network.programs.models import Cohort, CohortMembership, Program, ProgramStaff
    from network.types import utcnow

    people = {name: make_user(role=role, status=status).id for name, role, status, *_ in PEOPLE}
    with app.app_context():
        program = Program(slug="visibility", name="Visibility program", institution="Test hospital")
        db.session.add(program)
        db.session.flush()
        cohort, other = (Cohort(program_id=program.id, name=name, start_date=date(2026, 7, 1),
                                end_date=date(2027, 6, 30)) for name in ("Class A", "Class B"))
        db.session.add_all([cohort, other])
        db.session.flush()
        for name, role, _status, in_cohort, deleted, staff in PEOPLE:
            cohort_role = "faculty" if role == "faculty" else "fellow"
            if in_cohort:
                db.session.add(CohortMembership(cohort_id=cohort.id, user_id=people[name], role=cohort_role))
            elif role != "admin":
                db.session.add(CohortMembership(cohort_id=other.id, user_id=people[name], role=cohort_role))
            if staff:
                db.session.add(ProgramStaff(program_id=program.id, user_id=people[name], role="faculty"))
            if deleted:  # the membership row is kept here, so only the deletion can refuse
                db.session.get(User, people[name]).deleted_at = utcnow()
        categories = {
            "members": Category(slug="open", name="Open", visibility=CategoryVisibility.MEMBERS),
            "faculty": Category(slug="lounge", name="Lounge", visibility=CategoryVisibility.FACULTY),
            "cohort": Category(slug="class-a", name="Class A", visibility=CategoryVisibility.COHORT,
                               cohort_id=cohort.id),
        }
        db.session.add_all(categories.values())
        db.session.commit()
        return people, {visibility: category.id for visibility, category in categories.items()}


def _fresh_user(user_id):
    """The member as a request loads them (nothing cached from an earlier question)."""
    from network.members.models import User

    db.session.expire_all()
    return db.session.get(User, user_id)


@pytest.mark.parametrize("visibility", ["members", "faculty", "cohort"])
def test_each_form_of_the_category_rule_gives_the_same_answer(app, visibility_world, visibility):
    from network import permissions
    from network.discussions.models import Category

    people, categories = visibility_world
    with app.app_context():
        category = db.session.get(Category, categories[visibility])
        everyone = [_fresh_user(user_id) for user_id in people.values()]
        told = {user.id for user in permissions.who_can_view_category(everyone, category)}
        for name, user_id in people.items():
            user = _fresh_user(user_id)
            category = db.session.get(Category, categories[visibility])
            listed = category.id in db.session.scalars(
                select(Category.id).where(permissions.visible_categories(user, Category))).all()
            answers = {"can_view_category": permissions.can_view_category(user, category),
                       "visible_categories (SQL)": listed, "who_can_view_category": user_id in told}
            expected = name in SEES[visibility]
            assert answers == dict.fromkeys(answers, expected), f"{name} in the {visibility} category"


@pytest.mark.parametrize("visibility", ["members", "faculty", "cohort"])
def test_the_moderation_rule_and_its_sql_agree(app, visibility_world, visibility):
    from network import permissions
    from network.discussions.models import Category

    people, categories = visibility_world
    with app.app_context():
        for name, user_id in people.items():
            user = _fresh_user(user_id)
            category = db.session.get(Category, categories[visibility])
            listed = category.id in db.session.scalars(
                select(Category.id).where(permissions.moderated_categories(user, Category))).all()
            expected = name in MODERATES[visibility]
            assert (permissions.can_moderate(user, category), listed) == (expected, expected), \
                f"{name} moderating the {visibility} category"

