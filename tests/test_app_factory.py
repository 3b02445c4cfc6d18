"""The tests' cheaper app factory (tests/conftest.py) builds the same apps as ``create_app`` alone: each rule's URL
builders are the code Werkzeug compiles for that rule (a second app reuses the first one's instead of compiling
them again), and the OpenAPI document written when it is first read is the one flask-smorest writes at once."""

from __future__ import annotations

import json

import flask_smorest
from flask import url_for

from network import create_app
from tests.conftest import SMOREST_REGISTER_BLUEPRINT, WERKZEUG_COMPILE_BUILDER


def _app(tmp_path):
    return create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'none.db'}"})


def test_each_rule_builds_its_urls_with_the_code_werkzeug_compiles_for_it(tmp_path):
    rules = list(_app(tmp_path).url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        for shared, append_unknown in ((rule._build, False), (rule._build_unknown, True)):
            assert shared.__self__ is rule
            assert shared.__func__.__code__ == WERKZEUG_COMPILE_BUILDER(rule, append_unknown).__code__, rule.rule


def test_a_second_app_reuses_the_builders_and_builds_the_same_urls(tmp_path):
    first, second = _app(tmp_path), _app(tmp_path)
    rules = {(rule.endpoint, rule.rule): rule for rule in first.url_map.iter_rules()}
    for rule in second.url_map.iter_rules():
        twin = rules[(rule.endpoint, rule.rule)]
        assert rule._build_unknown.__func__ is twin._build_unknown.__func__
        assert rule._build_unknown.__self__ is rule
    for app in (first, second):
        with app.test_request_context():
            assert url_for("profiles.show", user_id=7, tab="about") == "/members/7?tab=about"
            assert url_for("profiles.directory", _external=True) == "http://localhost/members/"


def _api(app):
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]


def test_the_openapi_document_written_on_first_read_is_the_one_flask_smorest_writes_at_once(tmp_path, monkeypatch):
    lazy = _api(_app(tmp_path))
    assert len(lazy.__dict__["_documents_to_write"]) > 5  # not written yet: the app was built without it
    lazy_document = lazy.spec.to_dict()
    assert "_documents_to_write" not in lazy.__dict__
    monkeypatch.setattr(flask_smorest.Api, "register_blueprint", SMOREST_REGISTER_BLUEPRINT)
    eager = _api(_app(tmp_path))
    assert "_documents_to_write" not in eager.__dict__
    assert json.dumps(lazy_document) == json.dumps(eager.spec.to_dict())  # the same, in the same order
    assert len(lazy_document["paths"]) > 20 and lazy_document["tags"]
