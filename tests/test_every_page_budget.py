"""Every GET page costs the same number of queries with 5 rows or 500 rows behind it, and at most 12.

The pages come from the url_map, their URL arguments and a role that may see them from the access
matrix (tests/matrix), the rows from the per-area hooks in tests/budget/ (every hook runs for every page:
a home page gathers several areas). A page whose area has no hook yet is still counted once against the
limit, then reported as skipped "to-do" so the gap stays visible.

The pages that share an area's ``prepare`` hook (tests/matrix/<area>.py; the pages without one form one more
group) share one database: its people and prepared objects are made once, every hook fills 5 rows, each page
of the group is counted, every hook adds 495 rows, each page is counted again. So the hooks run twice per
group (about 3.5 s) instead of twice per page, and each page still sees exactly what it saw alone: its area's
prepared objects and 5, then 500, rows of every area.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.budget import ARGUMENTS, HOOKS, VIEWERS
from tests.conftest import build_app, query_counter, release_app, scratch_database, sign_in_session, user_factory
from tests.matrix import MATRIX, PREPARERS
from tests.matrix.common import make_people
from tests.test_access_matrix import resolve_arguments

LIMIT = 12
SMALL, LARGE = 5, 500
#: Files and feeds, not pages: no template, no listing to grow. "Download your data" gathers a dozen kinds
#: of data, one query each: tests/test_data_export.py holds its count constant as the data grows. The API's
#: OpenAPI document is built from the code once per process.
NOT_PAGES = {"static", "bootstrap.static", "main.healthz", "profiles.photo", "profiles.export",
             "api-docs.openapi_json"}
#: Which role looks at a page, when several may: a member before an admin (admins see more, so also
#: more of the cost), but pages only staff see are looked at by them.
PREFERENCE = ("fellow", "alumni", "faculty", "admin", "pending", "anonymous")

#: Pages known to break the budget, with why: each fails loudly (strict xfail) the day it is fixed, so the
#: entry is removed then. Their areas' owners fix them; this test only shows them.
KNOWN_OVER_BUDGET: dict[str, str] = {}

GET_PAGES = sorted(endpoint for endpoint, method in MATRIX if method == "GET" and endpoint not in NOT_PAGES)


def viewer_of(endpoint: str, outcomes: dict) -> str | None:
    if endpoint in VIEWERS:
        return VIEWERS[endpoint]
    return next((role for role in PREFERENCE if outcomes[role] == 200), None)


def populate(app, people, named, count):
    for hook in HOOKS.values():
        hook(app, people, named, count)


def queries_for(client, url, count_queries) -> tuple[int, list[str]]:
    for _ in range(2):  # warm up: the first request of a session records "last seen"
        client.get(url).close()
    with count_queries() as statements:
        response = client.get(url)
        status = response.status_code
        response.close()
    assert status == 200, (url, status)
    return len(statements), statements


@dataclass
class Counted:
    """One page's counts: ``small`` at 5 rows, ``large`` at 500 (None when its area has no hook)."""

    url: str = ""
    small: int | None = None
    small_statements: list[str] = field(default_factory=list)
    large: int | None = None
    large_statements: list[str] = field(default_factory=list)
    error: BaseException | None = None  # what went wrong for this page (or its group), raised by its test


def _selected_pages(session) -> list[str]:
    """The pages this run tests (after ``-k``): only they are counted."""
    return [item.callspec.params["endpoint"] for item in session.items
            if item.path == Path(__file__) and "endpoint" in getattr(getattr(item, "callspec", None), "params", {})]


def count_group(request, smtp_server, folder, endpoints: list[str]) -> dict[str, Counted]:
    """Count ``endpoints`` (pages sharing one ``prepare`` hook) on one fresh database, at 5 then 500 rows."""
    counted = {endpoint: Counted() for endpoint in endpoints}
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(request, "postgresql", folder))
            app = build_app(url, smtp_server, RATELIMIT_ENABLED=False)
            stack.callback(release_app, app)
            make_user = user_factory(app)
            count_queries = query_counter(app)
            people = make_people(app, make_user)
            named: dict = {"_always": True}  # the area's prepare hook runs once, for every page of the group
            resolve_arguments({}, app, people, make_user, named, route=(endpoints[0], "GET"))
            populate(app, people, named, SMALL)
        except Exception as exc:
            for page in counted.values():
                page.error = exc
            return counted
        clients = {}
        for endpoint, page in counted.items():
            try:
                page.url, clients[endpoint] = _page(app, people, named, endpoint)
                page.small, page.small_statements = queries_for(clients[endpoint], page.url, count_queries)
            except Exception as exc:
                page.error = exc
        growing = [e for e, page in counted.items() if page.error is None and e.split(".", 1)[0] in HOOKS]
        if not growing:
            return counted
        try:
            populate(app, people, named, LARGE - SMALL)
        except Exception as exc:
            for endpoint in growing:
                counted[endpoint].error = exc
            return counted
        for endpoint in growing:
            page = counted[endpoint]
            try:
                page.large, page.large_statements = queries_for(clients[endpoint], page.url, count_queries)
            except Exception as exc:
                page.error = exc
    return counted


def _page(app, people, named, endpoint):
    """The page's URL (its matrix arguments, or the hooks' grown objects) and a client signed in as its viewer."""
    from flask import url_for

    kwargs, outcomes = MATRIX[(endpoint, "GET")]
    kwargs = resolve_arguments(kwargs, app, people, None, named, route=None)  # (named: prepared already)
    for argument, name in ARGUMENTS.get(endpoint, {}).items():
        kwargs[argument] = named[name]
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    client = app.test_client()
    role = viewer_of(endpoint, outcomes)
    if role != "anonymous":
        sign_in_session(client, app, people[role])
    return url, client


@pytest.fixture(scope="module")
def counted_page(request, smtp_server, tmp_path_factory):
    """``counted_page(endpoint)``: the page's counts, its whole group counted on first use."""
    counts: dict[str, Counted] = {}
    selected = _selected_pages(request.session)

    def get(endpoint: str) -> Counted:
        if endpoint not in counts:
            group = PREPARERS.get((endpoint, "GET"))
            endpoints = [e for e in selected if e not in counts and PREPARERS.get((e, "GET")) is group
                         and viewer_of(e, MATRIX[(e, "GET")][1]) is not None]
            if endpoint not in endpoints:
                endpoints.insert(0, endpoint)
            counts.update(count_group(request, smtp_server, tmp_path_factory.mktemp("budget"), endpoints))
        return counts[endpoint]

    return get


# On PostgreSQL only: the count of queries a page issues does not depend on the dialect, and each
# area's own budget tests run on both databases.
@pytest.mark.parametrize("database", ["postgresql"])
@pytest.mark.parametrize("endpoint", GET_PAGES)
def test_the_page_costs_the_same_queries_with_5_and_500_rows(counted_page, endpoint, database, request):
    if endpoint in KNOWN_OVER_BUDGET:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_OVER_BUDGET[endpoint]))
    role = viewer_of(endpoint, MATRIX[(endpoint, "GET")][1])
    if role is None:
        pytest.skip("no role gets this page (only redirects or errors): nothing to count")
    page = counted_page(endpoint)
    if page.error is not None:
        raise page.error
    url, small, small_statements = page.url, page.small, page.small_statements
    area = endpoint.split(".", 1)[0]
    if area not in HOOKS:
        assert small <= LIMIT, f"{url} as {role}: {small} queries\n" + "\n".join(small_statements)
        pytest.skip(f"to-do: no populate hook tests/budget/{area}.py, so {endpoint} was counted only at "
                    f"{SMALL} rows ({small} queries)")
    large, large_statements = page.large, page.large_statements
    assert large == small, f"{url} as {role}: {small} queries at {SMALL} rows, {large} at {LARGE}" + _repeated(
        large_statements)
    assert large <= LIMIT, f"{url} as {role}: {large} queries\n" + "\n".join(large_statements)


def _repeated(statements: list[str]) -> str:
    """The statements run more than once: where a lazy load in a loop hides."""
    from collections import Counter

    counts = Counter(" ".join(s.split())[:300] for s in statements)
    return "".join(f"\n  {n} x {sql}" for sql, n in counts.most_common() if n > 1)
