"""Every GET page costs the same number of queries with 5 rows or 500 rows behind it, and at most 12.

The pages come from the url_map, their URL arguments and a role that may see them from the access
matrix (tests/matrix), the rows from the per-area hooks in tests/budget/ (every hook runs for every page:
a home page gathers several areas). A page whose area has no hook yet is still counted once against the
limit, then reported as skipped "to-do" so the gap stays visible.
"""

from __future__ import annotations

import pytest

from tests.budget import ARGUMENTS, HOOKS, VIEWERS
from tests.conftest import sign_in_session
from tests.matrix import MATRIX
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


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


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


# On PostgreSQL only: the count of queries a page issues does not depend on the dialect, and each
# area's own budget tests run on both databases.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("endpoint", GET_PAGES)
def test_the_page_costs_the_same_queries_with_5_and_500_rows(app, make_user, count_queries, endpoint, request):
    from flask import url_for

    if endpoint in KNOWN_OVER_BUDGET:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_OVER_BUDGET[endpoint]))
    kwargs, outcomes = MATRIX[(endpoint, "GET")]
    role = viewer_of(endpoint, outcomes)
    if role is None:
        pytest.skip("no role gets this page (only redirects or errors): nothing to count")
    people = make_people(app, make_user)
    named: dict = {"_always": True}
    kwargs = resolve_arguments(kwargs, app, people, make_user, named, route=(endpoint, "GET"))
    populate(app, people, named, SMALL)
    for argument, name in ARGUMENTS.get(endpoint, {}).items():
        kwargs[argument] = named[name]
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    client = app.test_client()
    if role != "anonymous":
        sign_in_session(client, app, people[role])

    small, small_statements = queries_for(client, url, count_queries)
    area = endpoint.split(".", 1)[0]
    if area not in HOOKS:
        assert small <= LIMIT, f"{url} as {role}: {small} queries\n" + "\n".join(small_statements)
        pytest.skip(f"to-do: no populate hook tests/budget/{area}.py, so {endpoint} was counted only at "
                    f"{SMALL} rows ({small} queries)")
    populate(app, people, named, LARGE - SMALL)
    large, large_statements = queries_for(client, url, count_queries)
    assert large == small, f"{url} as {role}: {small} queries at {SMALL} rows, {large} at {LARGE}" + _repeated(
        large_statements)
    assert large <= LIMIT, f"{url} as {role}: {large} queries\n" + "\n".join(large_statements)


def _repeated(statements: list[str]) -> str:
    """The statements run more than once: where a lazy load in a loop hides."""
    from collections import Counter

    counts = Counter(" ".join(s.split())[:300] for s in statements)
    return "".join(f"\n  {n} x {sql}" for sql, n in counts.most_common() if n > 1)
