"""Every operation of the OpenAPI document, against the app served over HTTP on SQLite and on PostgreSQL.

schemathesis reads the API's OpenAPI document (no list of operations here: an operation is tested the moment it
is documented) and sends each operation valid and invalid requests (bodies, query strings and path ids, with
boundary values) to the demo network served on 127.0.0.1, each request as a fellow and as a program director,
both with every scope. Every answer must be no server error, and a status code, content type and body the
document declares for that operation. Half the time a path id is one the API itself lists (``listed_ids``), so
reads and changes reach real objects, not only 404s.

The run is bounded (``MAX_EXAMPLES`` per operation and mode, besides the boundary cases) and reproducible:
derandomised, no example database. A failure prints the request to replay with ``curl``.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from network import create_app
from network.extensions import db
from network.members.models import User
from tests.api.helpers import bearer, issue_token
from tests.conftest import scratch_database
from tests.servers import LiveServer

#: Generated requests per operation in each generation mode (valid, invalid), besides the boundary cases.
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: The demo members whose tokens send every request: a fellow, and the director of the Northbridge program.
CALLERS = ("fellow@example.org", "faculty@example.org")
SPEC_PATH = "/api/v1/openapi.json"


def api_document() -> dict:
    """The OpenAPI document the app serves at ``SPEC_PATH`` (the site fixture checks it is the same)."""
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


DOCUMENT = api_document()

schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    "seed": 20,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   # The token is ours (``Authorization``), never generated.
                   "with-security-parameters": False},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": False, **{check.__name__: {"enabled": True} for check in CHECKS}},
}))

#: The ids the site under test lists, by path parameter name: filled by ``api_site`` before its first case.
listed: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, each id of the path is one the API lists (a real object) rather than a generated one."""
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    return st.fixed_dictionaries({
        name: st.one_of(st.just(value), st.sampled_from(listed[name])) if listed.get(name) else st.just(value)
        for name, value in path_parameters.items()})


def listed_ids(base_url: str, token: str) -> dict[str, list[int]]:
    """For each path parameter, the ids the API lists where the path names them: the ``id`` of each item that
    ``GET /things`` answers is a value of ``{thing_id}`` in ``/things/{thing_id}``. A list under another id
    (``/threads/{thread_id}/posts``) is read for the first id found for that one."""
    found: dict[str, list[int]] = {}
    paths = sorted(DOCUMENT["paths"], key=lambda path: path.count("/"))
    for path in paths:
        if "get" not in DOCUMENT["paths"][path]:
            continue
        for child in paths:
            match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", child)
            names = re.findall(r"\{(\w+)\}", path)
            if not match or not all(found.get(name) for name in names):
                continue
            url = base_url + path.format(**{name: found[name][0] for name in names})
            response = requests.get(url, params={"limit": 100}, headers=bearer(token), timeout=30)
            items = response.json() if response.ok else None
            if isinstance(items, list):
                found.setdefault(match.group(1), []).extend(
                    item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), int))
    return {name: sorted(set(ids)) for name, ids in found.items() if ids}


@dataclass
class Site:
    """The served app, its callers' tokens, and what was sent to it (for the run's summary line)."""

    server: LiveServer
    tokens: list[str]
    database: str
    started: float = field(default_factory=time.perf_counter)
    seen: set = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (f"{self.database}: {len(self.seen)} operations, {self.statuses.total()} requests in "
                f"{time.perf_counter() - self.started:.0f}s ({statuses})")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_site(request, tmp_path_factory, smtp_server):
    """The demo network (``flask demo``) on a database of its own, served on 127.0.0.1 for every operation's
    test on that database, and a token with every scope for each of ``CALLERS``. Rate limits are off: the run
    sends thousands of requests a minute."""
    with scratch_database(request, request.param, tmp_path_factory.mktemp("api")) as url:
        app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                          "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port})
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            members = {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(CALLERS)))}
        tokens = [issue_token(app, members[email]) for email in CALLERS]
        server = LiveServer(app)
        server.start()
        try:
            assert requests.get(server.url + SPEC_PATH, timeout=30).json() == DOCUMENT
            listed.clear()
            listed.update(listed_ids(server.url, tokens[-1]))
            yield Site(server, tokens, request.param)
        finally:
            server.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


OPERATIONS = sum(1 for _ in schema.get_all_operations())


@schema.parametrize()
def test_operation_answers_as_documented(case, api_site, request):
    for token in api_site.tokens:
        response = case.call_and_validate(base_url=api_site.server.url, headers=bearer(token), checks=CHECKS)
        api_site.statuses[response.status_code] += 1
    api_site.seen.add(case.operation.label)
    if len(api_site.seen) == OPERATIONS:  # the last operation: the line conftest.py prints at the end, kept current
        properties = request.node.user_properties
        properties[:] = [p for p in properties if p[0] != "summary"] + [("summary", ("schemathesis",
                                                                                      api_site.summary()))]
