"""Reactions and accepted answers in a real browser: the fellow marks the alumna's reply helpful (the button's
pressed state, its count and its screen-reader name change in place, and "Who" lists him), then, as the thread's
author, accepts it as the answer, which shows under the question. The thread page, with avatars, a helpful mark,
an answer, a quote and a wide table, has no axe violation and no horizontal scroll on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.discussions.models import Category
from network.discussions.services import posting
from network.extensions import db
from network.members.models import User
from tests.e2e.test_accessibility import AXE, AXE_TAGS, WIDTHS
from tests.e2e.test_discussions import PASSWORD, demo_server  # noqa: F401  (the fixture)
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

TABLE = ("| Needle | Gauge | Length | Tip | Indication | Visualisation |\n|---|---|---|---|---|---|\n"
         "| Quincke | 22 G | 90 mm | cutting | Genicular | Fluoroscopy |\n"
         "| Tuohy | 18 G | 90 mm | blunt | Continuous | Ultrasonography |")


def _thread(app) -> tuple[int, int]:
    """The fellow's question in General and the alumna's answer with a quote and a wide table."""
    with app.test_request_context():
        fellow = db.session.scalar(select(User).where(User.email == "fellow@example.org"))
        alumna = db.session.scalar(select(User).where(User.email == "alumni@example.org"))
        general = db.session.scalar(select(Category).where(Category.slug == "general"))
        thread, question = posting.start_thread(fellow, general, "Which needle for a genicular block?",
                                                "Which needle do you start with?")
        reply = posting.reply(alumna, thread, posting.quote(question) + "These two:\n\n" + TABLE)
        db.session.commit()
        return thread.id, reply.id


def _violations(page) -> list:
    """Every axe violation of WCAG 2.1 A and AA (the context bypasses the page's CSP for axe)."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [(v["id"], [node["target"] for node in v["nodes"]]) for v in result["violations"]]


def test_a_member_marks_a_reply_helpful_and_the_author_accepts_it(browser, demo_server):  # noqa: F811
    base = demo_server.url
    thread_id, reply_id = _thread(demo_server.app)
    page = browser.new_context(viewport=WIDTHS["desktop"], bypass_csp=True).new_page()
    sign_in(page, base, "fellow@example.org", PASSWORD)
    page.goto(f"{base}/discussions/t/{thread_id}")
    reply = page.locator(f"#post-{reply_id}")
    expect(reply.locator(".post-quote-by")).to_have_text("Dr. Kwame Asante wrote:")

    # 1. He marks the reply helpful: the page stays, the button is pressed and its name counts him.
    button = reply.get_by_role("button", name="Mark helpful (0)")
    expect(button).to_have_attribute("aria-pressed", "false")
    address = page.url
    button.click()
    pressed = reply.get_by_role("button", name="Mark helpful (1)")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    assert page.url == address  # updated in place, not reloaded
    who = reply.locator(".helpful-who summary")
    expect(who).to_have_accessible_name("Who found the post by Dr. Sofia Martins helpful")
    who.hover()
    expect(reply.locator(".helpful-names")).to_have_text("Dr. Kwame Asante")
    who.click()  # pinned open
    page.mouse.move(0, 0)
    expect(reply.locator(".helpful-names")).to_be_visible()
    who.click()
    expect(reply.locator(".helpful-names")).to_be_hidden()
    # Pressed again it is taken back; once more, given.
    pressed.click()
    expect(reply.get_by_role("button", name="Mark helpful (0)")).to_have_attribute("aria-pressed", "false")
    expect(reply.locator(".helpful-who")).to_be_hidden()
    reply.get_by_role("button", name="Mark helpful (0)").click()
    expect(reply.get_by_role("button", name="Mark helpful (1)")).to_have_attribute("aria-pressed", "true")

    # 2. As the thread's author he accepts it as the answer: it shows under the question.
    reply.get_by_role("button", name="Accept as answer (post by Dr. Sofia Martins)").click()
    expect(page.get_by_text("The reply is marked as the answer.")).to_be_visible()
    answer = page.get_by_role("complementary", name="Answer")
    expect(answer).to_contain_text("Accepted answer by Dr. Sofia Martins")
    expect(page.locator(".answer-box")).to_have_count(1)
    question_box = page.locator(f"#post-{reply_id - 1} + .answer-box")
    expect(question_box).to_have_count(1)
    expect(page.locator(f"#post-{reply_id}")).to_contain_text("Accepted answer")
    expect(page.get_by_role("button", name="Mark helpful (1)")).to_have_attribute("aria-pressed", "true")
    answer.get_by_role("link", name="Go to the answer").click()
    expect(page).to_have_url(f"{base}/discussions/t/{thread_id}?before={reply_id + 1}#post-{reply_id}")

    # 3. The page passes axe, with avatars, a helpful mark, an answer, a quote and a table.
    assert _violations(page) == []
    page.goto(f"{base}/discussions/c/general")
    expect(page.get_by_role("listitem").filter(has_text="Which needle for a genicular block?")
           .get_by_text("Answered")).to_be_visible()
    assert _violations(page) == []

    # 4. On a phone the wide table scrolls in its own box; the page does not.
    phone = browser.new_context(viewport=WIDTHS["phone"], bypass_csp=True).new_page()
    sign_in(phone, base, "fellow@example.org", PASSWORD)
    phone.goto(f"{base}/discussions/t/{thread_id}")
    assert page_width(phone) <= WIDTHS["phone"]["width"]
    table = phone.locator(f"#post-{reply_id} .post-body table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert _violations(phone) == []
