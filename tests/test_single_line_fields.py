"""Single-line fields (names, titles, subjects, cohort and program names, search words) never store a
line break or another control character: they reach mail subjects and headers. Multi-line fields
(posts, bios, messages) keep their line breaks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

import network
from network.extensions import db
from network.members.models import User

BREAKS = "\r\n\u2028\u2029\x85\x0b\x0c\t\x1c"
POISON = "Dr. Ada\r\nBcc: attacker@evil.example\u2028Lovelace\x85Jr"


def _form_fields():
    """``(form, field name, unbound field)`` for every field any FlaskForm in the app declares."""
    for module in pkgutil.walk_packages(network.__path__, "network."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    seen, stack = set(), [FlaskForm]
    while stack:
        for form in stack.pop().__subclasses__():
            stack.append(form)
            if form in seen or not form.__module__.startswith("network."):
                continue
            seen.add(form)
            for name in dir(form):
                value = getattr(form, name, None)
                if isinstance(value, UnboundField):
                    yield form, name, value


def _apply_filters(field: UnboundField, value: str) -> str:
    for check in field.kwargs.get("filters", ()):
        value = check(value)
    return value


FIELDS = list(_form_fields())
SINGLE_LINE = [(f"{form.__module__}.{form.__name__}.{name}", field) for form, name, field in FIELDS
               if issubclass(field.field_class, StringField)
               and not issubclass(field.field_class, (TextAreaField, PasswordField, HiddenField))]
MULTI_LINE = [(f"{form.__module__}.{form.__name__}.{name}", field) for form, name, field in FIELDS
              if issubclass(field.field_class, TextAreaField)]


def test_the_forms_were_found():
    names = {name for name, _ in SINGLE_LINE}
    assert "network.auth.forms.RegisterForm.name" in names
    assert "network.discussions.forms.ThreadForm.title" in names
    assert len(SINGLE_LINE) > 40 and len(MULTI_LINE) > 15


@pytest.mark.parametrize("field", [field for _, field in SINGLE_LINE], ids=[name for name, _ in SINGLE_LINE])
def test_every_single_line_field_folds_line_breaks_and_control_characters(field):
    value = _apply_filters(field, POISON)
    assert not any(character in value for character in BREAKS + "\x00"), repr(value)
    assert value == "Dr. Ada Bcc: attacker@evil.example Lovelace Jr"


@pytest.mark.parametrize("field", [field for _, field in MULTI_LINE], ids=[name for name, _ in MULTI_LINE])
def test_every_multi_line_field_keeps_its_line_breaks(field):
    assert _apply_filters(field, "  First line\r\nSecond\nThird\x00  ") in ("First line\r\nSecond\nThird",
                                                                           "First line\nSecond\nThird")


def test_a_name_posted_with_line_breaks_is_stored_on_one_line(app):
    response = app.test_client().post("/auth/register", data={
        "name": "Dr. Lee\r\nBcc: attacker@evil.example", "email": "dr.lee@hospital.org",
        "password": "plexus block at dawn 42", "role": "alumni"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "dr.lee@hospital.org")).one()
        assert user.name == "Dr. Lee Bcc: attacker@evil.example"


def test_a_thread_title_with_a_line_separator_is_stored_on_one_line(app, make_user, login):
    from network.discussions.models import Category, Post, Thread

    with app.app_context():
        db.session.add(Category(slug="general", name="General", description=""))
        db.session.commit()
    client = login(app.test_client(), make_user())
    response = client.post("/discussions/c/general/new",
                           data={"title": "Nerve block\u2028part two", "body": "Line one\nLine two",
                                 "submit": "Start thread"})
    assert response.status_code == 302, response.data[:500]
    with app.app_context():
        thread = db.session.scalars(select(Thread)).one()
        assert thread.title == "Nerve block part two"
        assert "Line one\nLine two" in db.session.scalars(select(Post.body)).one()
