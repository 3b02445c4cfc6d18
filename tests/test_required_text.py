"""A required text field that trims what is typed must check what is left after trimming.

WTForms' ``InputRequired`` looks at the raw input, so "   " passes it and the field's filters then make it
empty: an opportunity titled "", a member named "". ``DataRequired`` looks at the trimmed value. The first test
walks every form the app declares for the wrong pairing; the others show what a member would see."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired

import network


def _forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(network.__path__, "network."):
        if module.name.endswith(".forms") or ".forms." in module.name:
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo += form.__subclasses__()
        found.append(form)
    return found


def test_no_trimmed_text_field_is_required_by_its_raw_input():
    wrong = []
    for form in _forms():
        for name in dir(form):
            field = getattr(form, name, None)
            if not (isinstance(field, UnboundField) and issubclass(field.field_class, StringField)):
                continue
            validators = field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else [])
            if field.kwargs.get("filters") and any(isinstance(v, InputRequired) for v in validators):
                wrong.append(f"{form.__module__}.{form.__name__}.{name}")
    assert wrong == [], f"use DataRequired on these trimmed fields: {sorted(set(wrong))}"


@pytest.mark.parametrize(("url", "form", "message"), [
    ("/opportunities/new/job", {"title": "   ", "description": "A role in Austin."}, "Give it a title."),
    ("/opportunities/new/job", {"title": "Pain physician", "description": " \n\t "}, "Describe the opportunity."),
    ("/members/me/edit", {"name": "   "}, "Enter your name."),
])
def test_a_blank_required_text_is_refused_with_its_message(app, make_user, login, url, form, message):
    client = login(app.test_client(), make_user(role="alumni"))
    response = client.post(url, data=form)
    assert response.status_code in (200, 400)
    assert message in response.get_data(as_text=True)
