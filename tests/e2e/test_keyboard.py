"""The demo fellow's main flow with the keyboard alone: Tab, Shift+Tab, Enter, Space and arrow keys.

After the first page is opened nothing is clicked and no address is typed: the fellow signs in, ranks
mentors in the open matching round, uploads a photo through the file input, previews a markdown reply
and posts it through the patient-identifier confirmation; on a phone the collapsed menu opens from its
toggler.  Every Tab stop on the way must show a focus ring: a solid outline of 2px or more whose colour
stands out (3:1, WCAG 1.4.11) from what lies behind it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.profiles_helpers import image_bytes

pytestmark = pytest.mark.e2e

FELLOW = "fellow@example.org"
PASSWORD = "demo-password-2026"
ROUND = "Research mentors, Class of 2027"
# Bootstrap's collapse once its transition has ended (a toggle during the transition is ignored).
OPEN = re.compile(r"(^|\s)collapse(\s.*)?\sshow(\s|$)")
CLOSED = re.compile(r"^(?!.*\b(show|collapsing)\b).*\bcollapse\b")

# The focused element, its accessible name (roughly: label, aria-label or text) and its focus ring: the
# outline's width and its contrast with the colour behind the outline (just outside the element's box).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: 'body', name: '', href: '', type: '', id: '', ring: null};
  const s = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
  const name = (e.getAttribute('aria-label') || label || e.innerText || e.value || '').replace(/\\s+/g, ' ').trim();
  const rgb = c => { const m = (c.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
                     return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const width = s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth) || 0;
  const box = e.getBoundingClientRect();
  const x = Math.max(0, box.left - (parseFloat(s.outlineOffset) || 0) - width / 2);
  const y = Math.min(window.innerHeight - 1, Math.max(0, box.top + box.height / 2));
  const under = document.elementsFromPoint(x, y).find(n => n !== e && !e.contains(n)) || e.parentElement;
  let behind = {r: 255, g: 255, b: 255, a: 1};
  for (let n = under; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.a > 0.5) { behind = c; break; }
  }
  const a = lum(rgb(s.outlineColor)), b = lum(behind);
  const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return {tag: e.tagName.toLowerCase(), name, href: e.getAttribute('href') || '', type: e.type || '', id: e.id,
          ring: {width, contrast: Math.round(contrast * 100) / 100, colour: s.outlineColor}};
}"""


@dataclass
class Focus:
    tag: str
    name: str
    href: str
    type: str
    id: str
    ring: dict | None


@dataclass
class Walk:
    """A keyboard walk: the Tab stops passed and those whose focus ring could not be seen."""
    page: Page
    stops: int = 0
    unseen: list[str] = field(default_factory=list)

    def focused(self) -> Focus:
        focus = Focus(**self.page.evaluate(FOCUSED))
        ring = focus.ring
        if ring is not None and (ring["width"] < 2 or ring["contrast"] < 3):
            where = self.page.url.split("/", 3)[-1]
            self.unseen.append(f"/{where}: <{focus.tag}> {focus.name[:40]!r} outline {ring}")
        return focus

    def tab_to(self, predicate: Callable[[Focus], bool], limit: int = 80, back: bool = False) -> Focus:
        """Press Tab (Shift+Tab when ``back``) until the focused element matches ``predicate``."""
        seen = []
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            self.stops += 1
            focus = self.focused()
            if predicate(focus):
                return focus
            seen.append(f"<{focus.tag}> {focus.name[:30]!r}")
        raise AssertionError(f"not reached in {limit} Tab presses on {self.page.url}; passed: {', '.join(seen)}")

    def follow(self, predicate: Callable[[Focus], bool], limit: int = 80, back: bool = False) -> None:
        """Tab to a link or button and press Enter; wait for the page it opens."""
        self.tab_to(predicate, limit, back)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


def open_file_chooser(page, attempts: int = 3):
    """Space on the focused file input opens the file chooser. On a loaded machine Chromium now and then
    drops that first key press on the way to the page, so the key is pressed again, up to ``attempts`` times
    (still the keyboard alone); the chooser must open in the end."""
    for _ in range(attempts):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(f"Space on the file input opened no file chooser in {attempts} tries")


def named(text: str, tag: str | None = None) -> Callable[[Focus], bool]:
    return lambda f: f.name == text and (tag is None or f.tag == tag)


def button(text: str) -> Callable[[Focus], bool]:
    """A <button> or an <input type=submit> (WTForms renders a SubmitField as the latter)."""
    return lambda f: f.name == text and (f.tag == "button" or f.type == "submit")


def link_to(pattern: str) -> Callable[[Focus], bool]:
    return lambda f: f.tag == "a" and re.search(pattern, f.href) is not None


def in_menu(walk: Walk, text: str) -> Callable[[Focus], bool]:
    """A link of the main navigation."""
    return lambda f: f.tag == "a" and f.name.startswith(text) and walk.page.evaluate(
        "() => !!document.activeElement.closest('nav[aria-label=Main]')")


def sign_in_by_keyboard(walk: Walk, base: str) -> None:
    page = walk.page
    page.goto(base + "/")  # the only address opened directly
    page.keyboard.press("Tab")
    skip = walk.focused()
    assert (skip.tag, skip.name, skip.href) == ("a", "Skip to main content", "#content"), skip
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content", "the skip link does not move focus to main"
    walk.follow(lambda f: f.tag == "a" and f.name == "Sign in" and f.href.endswith("/auth/login"))
    walk.tab_to(lambda f: f.tag == "input" and f.type == "email")
    page.keyboard.type(FELLOW)
    walk.tab_to(lambda f: f.tag == "input" and f.type == "password", limit=3)
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")


def test_the_fellow_walks_the_main_flow_with_the_keyboard_alone(browser, demo_site, tmp_path):
    # Reduced motion: Bootstrap's smooth scrolling would leave a focused element off screen a moment longer.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    walk = Walk(page)
    try:
        sign_in_by_keyboard(walk, demo_site.url)

        # Matching: rank two mentors with the arrow keys on the rank selects, then save the list.
        walk.follow(in_menu(walk, "Matching"))
        walk.follow(named(ROUND, "a"))
        first = walk.tab_to(lambda f: f.tag == "select" and f.name.startswith("Your rank for"))
        page.keyboard.press("ArrowDown")  # "—" to 1
        second = walk.tab_to(lambda f: f.tag == "select" and f.name.startswith("Your rank for"))
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # "—" to 2
        expect(page.get_by_label(first.name)).to_have_value("1")
        expect(page.get_by_label(second.name)).to_have_value("2")
        walk.follow(button("Save my list"))
        expect(page.get_by_text("Your list of 2 mentors")).to_be_visible()
        expect(page.get_by_label(first.name)).to_have_value("1")

        # Profile: from the home page to the edit form; the file chooser opens from the file input.
        walk.follow(in_menu(walk, "Home"), back=True)
        walk.follow(named("See your profile", "a"))
        walk.follow(named("Edit profile", "a"))
        photo = tmp_path / "portrait.png"
        photo.write_bytes(image_bytes("PNG", size=(300, 300), colour="#2e6f40"))
        walk.tab_to(lambda f: f.tag == "input" and f.type == "file")
        open_file_chooser(page).set_files(str(photo))
        walk.follow(button("Upload photo"), limit=3)
        expect(page.get_by_text("Your photo is updated.")).to_be_visible()

        # Discussions: a reply in markdown, previewed, then posted through the identifier confirmation.
        walk.follow(in_menu(walk, "Discussions"), back=True)
        walk.follow(lambda f: f.tag == "a" and f.name == "Categories")
        walk.follow(lambda f: f.tag == "a" and f.name.startswith("Board review"))
        walk.follow(link_to(r"/discussions/t/\d+$"))
        walk.tab_to(lambda f: f.tag == "textarea", limit=400)
        page.keyboard.type("Reading list for **Tuesday**: the pain *pathways* review.")
        walk.follow(button("Preview"), limit=5)
        preview = page.get_by_role("region", name="Preview")
        expect(preview.locator("strong")).to_have_text("Tuesday")
        expect(preview.locator("em")).to_have_text("pathways")
        # Focus lands on the preview: the next Tab stops are the post buttons, not the page's menu.
        walk.tab_to(button("Post reply"), limit=1)
        walk.tab_to(lambda f: f.tag == "textarea", back=True, limit=5)
        page.keyboard.press("Control+End")
        page.keyboard.type(" My pager is 555-123-4567.")  # not a patient's: confirmed below
        walk.follow(button("Post reply"), limit=5)
        expect(page.get_by_text("may contain patient identifiers")).to_be_visible()
        # Focus lands on the confirmation the page asks for.
        box = walk.focused()
        assert (box.tag, box.type, box.name) == (
            "input", "checkbox", "I checked: the highlighted text identifies no patient")
        page.keyboard.press("Space")
        expect(page.locator(f"#{box.id}")).to_be_checked()
        walk.follow(button("Post reply"), limit=5)
        expect(page.locator("article").last).to_contain_text("Reading list for Tuesday")
        expect(page.locator("article").last.locator("strong")).to_have_text("Tuesday")

        assert walk.stops > 30
        assert not walk.unseen, "focus rings that cannot be seen:\n" + "\n".join(dict.fromkeys(walk.unseen))
    finally:
        context.close()


def test_on_a_phone_the_menu_opens_from_its_toggler_with_the_keyboard(browser, demo_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  reduced_motion="reduce")
    page = context.new_page()
    walk = Walk(page)
    try:
        sign_in_by_keyboard(walk, demo_site.url)
        menu = page.locator("#main-nav")
        expect(menu).to_be_hidden()
        toggler = walk.tab_to(lambda f: f.tag == "button" and f.name == "Show navigation", back=True)
        assert toggler.ring["width"] >= 2
        page.keyboard.press("Enter")
        expect(menu).to_have_class(OPEN)
        expect(page.locator(".navbar-toggler")).to_have_attribute("aria-expanded", "true")
        walk.follow(in_menu(walk, "Notifications"), limit=15)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Notifications")
        # Space opens and closes it as well as Enter.
        walk.tab_to(lambda f: f.tag == "button" and f.name == "Show navigation", back=True)
        page.keyboard.press("Space")
        expect(menu).to_have_class(OPEN)
        page.keyboard.press("Space")
        expect(menu).to_have_class(CLOSED)
        expect(menu).to_be_hidden()
        assert not walk.unseen, "focus rings that cannot be seen:\n" + "\n".join(dict.fromkeys(walk.unseen))
    finally:
        context.close()
