"""Accessibility and valid HTML on every page a person can reach, in a real browser.

The demo network is served as in ``make run``; a visitor and each demo role follow every same-site
link from the navigation and from each list, breadth first (GET only, at most two URLs per route, so
a list of a hundred threads costs two thread pages).  Each page is checked by axe-core (WCAG 2.0/2.1
A and AA rules) at a desktop and a phone width, and the HTML the server sent is checked once by the
W3C Nu HTML checker.  Both tools are pinned in package.json and installed by ``make node-deps``.
"""

from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404: runs the pinned Nu checker on files this test wrote
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from network.auth import api_tokens
from network.extensions import db
from network.members.models import User
from tests.conftest import IN_CI
from tests.e2e.test_join_flow import sign_in
from tests.servers import LiveServer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

PASSWORD = "demo-password-2026"
ROLES = {
    "visitor": None,
    "admin": "admin@example.org",
    "faculty": "faculty@example.org",
    "fellow": "fellow@example.org",
    "alumni": "alumni@example.org",
}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PER_ROUTE = 2
# Not pages: sign-out is a POST form, the rest are files (CSV, calendars, images, JSON) or the health probe.
SKIPPED_ENDPOINTS = {"static", "bootstrap.static", "auth.logout", "main.healthz"}


def _tool(path: Path) -> Path:
    if not path.exists():
        message = f"{path.relative_to(ROOT)} is missing: run `make node-deps` (npm ci)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@dataclass
class Crawl:
    role: str
    pages: list[str] = field(default_factory=list)  # paths checked, in crawl order
    violations: list[str] = field(default_factory=list)  # "path: rule (impact) at target [widths]"
    errors: list[str] = field(default_factory=list)  # pages that failed to load
    html: dict[str, str] = field(default_factory=dict)  # path -> the HTML the server sent


def _endpoint(adapter, path: str, query: str) -> str | None:
    try:
        endpoint, _ = adapter.match(path, method="GET", query_args=query)
    except HTTPException:
        return None
    return endpoint


class Frontier:
    """The same-site pages still to visit, breadth first: at most ``per_route`` URLs per endpoint, and no
    files (roster.csv, event.ics, a chart's .svg) or endpoints in ``SKIPPED_ENDPOINTS``."""

    def __init__(self, site: LiveServer, per_route: int):
        self.adapter = site.app.url_map.bind("127.0.0.1")
        self.origin = urlsplit(site.url).netloc
        self.per_route = per_route
        self.seen: set[str] = set()
        self.followed: dict[str, int] = {}  # links followed per endpoint
        self.queue: deque[str] = deque()

    def endpoint(self, path: str, query: str) -> str | None:
        return _endpoint(self.adapter, path, query)

    def add(self, url: str) -> None:
        url, _ = urldefrag(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin or url in self.seen:
            return
        self.seen.add(url)
        endpoint = self.endpoint(parts.path, parts.query)
        if endpoint is None or endpoint in SKIPPED_ENDPOINTS or self.followed.get(endpoint, 0) >= self.per_route:
            return
        if "." in parts.path.rsplit("/", 1)[-1]:
            return  # a file
        self.followed[endpoint] = self.followed.get(endpoint, 0) + 1
        self.queue.append(url)

    def __iter__(self):
        while self.queue:
            yield self.queue.popleft()


def _run_axe(page) -> list[dict]:
    # After a form's POST the page can be checked before its stylesheets are in; contrast and target sizes are
    # the styled page's.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS)
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def crawl(browser, site: LiveServer, role: str) -> Crawl:
    """Visit every page reachable from the home page as ``role``; axe at both widths on each."""
    record = Crawl(role)
    # bypass_csp: the site allows only its own scripts; axe is the test's. An init script loads it in
    # every page before the page's own scripts run, at a tenth of the cost of a script tag per page.
    context = browser.new_context(viewport=WIDTHS["desktop"], bypass_csp=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        if ROLES[role]:
            sign_in(page, site.url, ROLES[role], PASSWORD)
            page.wait_for_load_state()
            assert urlsplit(page.url).path == "/", f"{role} could not sign in: {page.url}"
        checked: dict[str, int] = {}  # pages checked per endpoint (after redirects)
        found: dict[tuple[str, str, str], list[str]] = {}  # (path, rule and impact, target) -> widths
        frontier = Frontier(site, PER_ROUTE)

        frontier.add(site.url + "/")
        if role == "visitor":
            frontier.add(site.url + "/auth/login")
            frontier.add(site.url + "/api/docs")  # public; members reach it from their account page
        for url in frontier:
            path = url[len(site.url):]
            try:
                response = page.goto(url)
            except PlaywrightError as exc:
                if "Download is starting" not in str(exc):  # else an attachment, such as the JSON export
                    record.errors.append(f"{path}: {str(exc).splitlines()[0]}")
                continue
            if response is None:
                continue
            if response.status >= 400:
                record.errors.append(f"{path}: HTTP {response.status}")
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            final = urlsplit(page.url)
            endpoint = frontier.endpoint(final.path, final.query) or path
            times = checked.get(endpoint, 0)
            if times < PER_ROUTE:  # a redirect may land on a route already checked twice
                checked[endpoint] = times + 1
                path = page.url[len(site.url):]
                record.pages.append(path)
                record.html[path] = response.text()
                # The phone layout of a route is checked on its first page only.
                for width in WIDTHS if times == 0 else ["desktop"]:
                    page.set_viewport_size(WIDTHS[width])
                    for violation in _run_axe(page):
                        for node in violation["nodes"]:
                            key = (path, f"{violation['id']} ({violation['impact']})", " ".join(node["target"]))
                            found.setdefault(key, []).append(width)
                page.set_viewport_size(WIDTHS["desktop"])
            for link in page.eval_on_selector_all("a[href]:not([download])", "links => links.map(l => l.href)"):
                frontier.add(link)
        record.violations = [f"{path}: {rule} at {target} [{', '.join(widths)}]"
                             for (path, rule, target), widths in found.items()]
    finally:
        context.close()
    return record


def _listing(lines: list[str], limit: int = 300) -> str:
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


_crawls: dict[str, Crawl] = {}


def give_api_tokens(site: LiveServer) -> None:
    """A token for each signed-in role, so each account page is checked with its list of tokens."""
    with site.app.app_context():
        for email in filter(None, ROLES.values()):
            member = db.session.scalars(select(User).where(User.email == email)).one()
            api_tokens.issue(member, "Residency system sync", ["read"], 30)
        db.session.commit()


@pytest.fixture(scope="module")
def crawled(browser, demo_site):
    _tool(AXE)
    give_api_tokens(demo_site)

    def get(role: str) -> Crawl:
        if role not in _crawls:
            _crawls[role] = crawl(browser, demo_site, role)
        return _crawls[role]

    yield get
    _crawls.clear()


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page_has_no_serious_axe_violation(crawled, role, record_property):
    record = crawled(role)
    record_property("summary", ("accessibility", f"{role}: {len(record.pages)} pages checked by axe-core"))
    assert len(record.pages) >= (3 if role == "visitor" else 20), record.pages
    assert "/api/docs" in record.pages, record.pages
    if role != "visitor":  # the account page with its API tokens (give_api_tokens)
        assert "Residency system sync" in record.html.get("/auth/account", ""), record.pages
        assert "Stop replies by email" in record.html["/auth/account"]  # (demo_site turns reply by email on)
    assert not record.errors, "pages that failed to load:\n" + "\n".join(record.errors)
    assert not record.violations, (
        f"{len(record.violations)} serious or critical axe violations as {role}:\n" + _listing(record.violations))


def test_every_reachable_page_is_valid_html_for_the_nu_checker(crawled, tmp_path, record_property):
    vnu = _tool(VNU)
    if not shutil.which("java"):
        message = "java is missing (Debian package default-jre-headless)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    files: dict[str, str] = {}  # file name -> "role path"
    for role in ROLES:
        for path, html in crawled(role).html.items():
            name = f"page-{len(files):04d}.html"
            (tmp_path / name).write_text(html, encoding="utf-8")
            files[name] = f"{role} {path}"
    result = subprocess.run(  # nosec B603: fixed arguments, files this test wrote
        ["java", "-jar", str(vnu), "--errors-only", "--format", "json", *(str(tmp_path / n) for n in files)],
        capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(result.stderr.strip() or result.stdout)
    errors = [f"{files.get(Path(m.get('url', '')).name, m.get('url'))}:{m.get('lastLine')}: {m['message']}"
              f" [{m.get('extract', '').strip()}]"
              for m in report["messages"] if m["type"] == "error" or m.get("subType") == "fatal"]
    record_property("summary", ("accessibility", f"Nu HTML checker: {len(files)} pages checked"))
    assert not errors, f"{len(errors)} Nu HTML checker errors:\n" + _listing(errors)
