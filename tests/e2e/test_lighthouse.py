"""Lighthouse's accessibility and best-practice scores stay at 0.95 or more.

The demo network is served as in ``make run``; Lighthouse (pinned in package.json, installed by
``make node-deps``) audits the landing page as a visitor and the fellow's navigation pages signed in
as the demo fellow, in the system Chromium.  Only the two categories are run (no performance), and
every page the audits load is on 127.0.0.1: nothing reaches the internet.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess  # nosec B404: runs the pinned Lighthouse and the system Chromium
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from tests.conftest import IN_CI
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_join_flow import sign_in
from tests.servers import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "core" / "index.js"
RUNNER = Path(__file__).with_name("lighthouse.mjs")
CATEGORIES = ("accessibility", "best-practices")
THRESHOLD = 0.95
FELLOW = "fellow@example.org"
PASSWORD = "demo-password-2026"
# The landing page as a visitor, then the fellow's main navigation (base.html's menu, in its order).
VISITOR_PAGES = ["/"]
FELLOW_PAGES = ["/", "/members/", "/mentorship/", "/matching/", "/messages/", "/opportunities/",
                "/discussions/", "/notifications/"]
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--disable-quic", "--no-default-browser-check"]


def _require(found: bool, message: str) -> None:
    if not found:
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@contextmanager
def debuggable_chromium(profile: Path):
    """The system Chromium with a DevTools port for Lighthouse, closed afterwards."""
    port = free_port()
    process = subprocess.Popen(  # nosec B603: the system browser with fixed arguments
        [CHROMIUM, *CHROME_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):  # nosec B310: local DevTools
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Chromium did not open its DevTools port (exit {process.poll()})") from None
                time.sleep(0.2)
        yield port
    finally:
        # Its own process group: the browser's helper processes end with it.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def lighthouse(port: int, pages: list[dict]) -> None:
    """Run Lighthouse over ``pages`` (url, headers, out) in the Chromium on ``port``."""
    job = {"port": port, "categories": list(CATEGORIES), "pages": pages}
    result = subprocess.run(  # nosec B603 B607: the pinned Lighthouse on the test's own pages
        ["node", str(RUNNER)], input=json.dumps(job), capture_output=True, text=True, timeout=600,
        cwd=ROOT, check=False)
    assert result.returncode == 0, f"Lighthouse failed:\n{result.stderr[-3000:]}"


def _failing_audits(report: dict, category: str) -> list[str]:
    audits = report["audits"]
    return [f"    {ref['id']} ({audits[ref['id']].get('score')}): {audits[ref['id']]['title']}"
            for ref in report["categories"][category]["auditRefs"]
            if ref["weight"] > 0 and audits[ref["id"]].get("score") is not None and audits[ref["id"]]["score"] < 1]


def test_landing_and_fellow_pages_score_at_least_095(demo_site, browser, tmp_path, record_property):
    _require(LIGHTHOUSE.exists(), f"{LIGHTHOUSE.relative_to(ROOT)} is missing: run `make node-deps` (npm ci)")
    _require(shutil.which("node") is not None, "node is missing (Debian package nodejs)")
    _require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (Debian package chromium)")
    started = time.monotonic()

    # The fellow's session cookie, from a sign-in in Playwright's Chromium.
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, demo_site.url, FELLOW, PASSWORD)
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/", f"the demo fellow could not sign in: {page.url}"
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    context.close()

    runs = [("visitor", path, None) for path in VISITOR_PAGES] + [("fellow", path, cookie) for path in FELLOW_PAGES]
    pages = [{"url": demo_site.url + path, "headers": {"Cookie": cookies} if cookies else None,
              "out": str(tmp_path / f"report-{n}.json")} for n, (_, path, cookies) in enumerate(runs)]
    with debuggable_chromium(tmp_path / "profile") as port:
        lighthouse(port, pages)

    rows: list[tuple[str, str, dict[str, float]]] = []
    failures: list[str] = []
    for (role, path, _), page in zip(runs, pages, strict=True):
        report = json.loads(Path(page["out"]).read_text(encoding="utf-8"))
        final = urlsplit(report["finalDisplayedUrl"])
        assert final.path == path, f"{role} {path}: Lighthouse ended on {final.path} (not signed in?)"
        assert not report.get("runtimeError"), f"{path}: {report['runtimeError']}"
        scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
        rows.append((role, path, scores))
        for category, score in scores.items():
            if score is None or score < THRESHOLD:
                failures.append(f"{role} {path}: {category} {score}\n" + "\n".join(_failing_audits(report, category)))

    lines = [f"{len(rows)} pages in {time.monotonic() - started:.0f} s",
             f"{'role':<8} {'page':<16} " + " ".join(f"{c:>15}" for c in CATEGORIES)]
    lines += [f"{role:<8} {path:<16} " + " ".join(f"{scores[c]:>15.2f}" for c in CATEGORIES)
              for role, path, scores in rows]
    for line in lines:
        record_property("summary", ("lighthouse", line))
    assert not failures, f"Lighthouse scores under {THRESHOLD}:\n" + "\n".join(failures)
