"""The tests' cheaper app factory (tests/conftest.py shares Werkzeug's compiled URL builders between apps) builds
exactly the apps Werkzeug would: each rule's builders are the code Werkzeug compiles for that rule, and a second
app reuses the first one's instead of compiling them again."""

from __future__ import annotations

from flask import url_for

from network import create_app
from tests.conftest import WERKZEUG_COMPILE_BUILDER


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
