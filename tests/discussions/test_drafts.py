"""Reply drafts: kept on the server per member and thread, restored into the reply form on any device, deleted
when the reply is posted or the member discards it; the member's alone; bounded like a post."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from network.discussions.forms import MAX_POST_LENGTH
from network.discussions.models import Draft, Thread
from network.extensions import db
from tests.discussions.conftest import page_text

JSON = {"Accept": "application/json"}


@pytest.fixture
def writing(app, make_user, login, make_category, make_thread):
    """(a signed-in member's client, the member, a thread they may reply to)."""
    member = make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id, title="Cooled RF outcomes")
    return login(app.test_client(), member), member, thread_id


def reply_box(page: str) -> str:
    """The text in the reply form's box."""
    found = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    return html.unescape(found.group(1)).strip() if found else ""


def drafts_of(app, member_id):
    with app.app_context():
        return {d.thread_id: d.body for d in db.session.scalars(select(Draft).where(Draft.user_id == member_id))}


def test_an_autosaved_draft_is_in_the_reply_box_on_another_device(app, make_user, login, make_category,
                                                                  make_thread):
    member = make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    phone = login(app.test_client(), member)
    saved = phone.post(f"/discussions/t/{thread_id}/draft", data={"body": "Half a thought about the dose"},
                       headers=JSON)
    assert saved.status_code == 200 and saved.json["saved"] and saved.json["status"] == "Draft saved."
    assert saved.headers["Cache-Control"] == "no-store"
    desktop = login(app.test_client(), member)
    thread_page = page_text(desktop.get(f"/discussions/t/{thread_id}"))
    assert reply_box(thread_page) == "Half a thought about the dose"
    assert "Your draft, saved" in thread_page and "Discard draft" in thread_page
    assert reply_box(page_text(desktop.get(f"/discussions/t/{thread_id}/reply"))) == "Half a thought about the dose"
    # Saving again overwrites: one draft per member and thread.
    desktop.post(f"/discussions/t/{thread_id}/draft", data={"body": "The whole thought."}, headers=JSON)
    assert drafts_of(app, member.id) == {thread_id: "The whole thought."}


def test_a_quoted_reply_keeps_the_draft_above_the_quote(app, make_user, login, make_category, make_thread):
    member, other = make_user(), make_user(name="Dr. Amara Obi")
    category_id, _ = make_category()
    thread_id, (first,) = make_thread(category_id, other.id, body="Use ultrasound.")
    client = login(app.test_client(), member)
    client.post(f"/discussions/t/{thread_id}/draft", data={"body": "My notes so far"}, headers=JSON)
    box = reply_box(page_text(client.get(f"/discussions/t/{thread_id}/reply?quote={first}")))
    assert box.startswith("My notes so far") and f'[quote="Dr. Amara Obi, post:{first}"]' in box


def test_posting_the_reply_deletes_the_draft(app, make_user, login, make_category, make_thread):
    member = make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    other_thread, _ = make_thread(category_id, member.id)
    client = login(app.test_client(), member)
    for thread in (thread_id, other_thread):
        client.post(f"/discussions/t/{thread}/draft", data={"body": "Draft text"}, headers=JSON)
    posted = client.post(f"/discussions/t/{thread_id}/reply", data={"body": "Draft text, finished."})
    assert posted.status_code == 302
    assert drafts_of(app, member.id) == {other_thread: "Draft text"}
    assert reply_box(page_text(client.get(f"/discussions/t/{thread_id}"))) == ""


def test_discarding_deletes_the_draft(app, writing):
    client, member, thread_id = writing
    client.post(f"/discussions/t/{thread_id}/draft", data={"body": "Not worth keeping"}, headers=JSON)
    answer = client.post(f"/discussions/t/{thread_id}/draft/discard", headers=JSON)
    assert answer.status_code == 200 and answer.json["status"] == "Draft discarded."
    assert drafts_of(app, member.id) == {}
    # An empty text keeps no draft either.
    client.post(f"/discussions/t/{thread_id}/draft", data={"body": "Again"}, headers=JSON)
    assert client.post(f"/discussions/t/{thread_id}/draft", data={"body": "  "}, headers=JSON).json["saved"] is False
    assert drafts_of(app, member.id) == {}


def test_without_javascript_save_and_discard_go_back_to_the_form(app, writing):
    client, member, thread_id = writing
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert re.search(rf'formaction="/discussions/t/{thread_id}/draft"[^>]*>Save draft<', page)
    saved = client.post(f"/discussions/t/{thread_id}/draft", data={"body": "Typed on a phone"})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/discussions/t/{thread_id}#reply-heading")
    after = page_text(client.get(saved.headers["Location"]))
    assert "Your draft is saved" in after and reply_box(after) == "Typed on a phone"
    # From the reply page, back to the reply page.
    reply_page = page_text(client.get(f"/discussions/t/{thread_id}/reply"))
    action = html.unescape(re.search(r'formaction="([^"]+)"[^>]*>Save draft<', reply_page).group(1))
    assert client.post(action, data={"body": "Longer now"}).headers["Location"].endswith(
        f"/discussions/t/{thread_id}/reply")
    discard = html.unescape(re.search(r'formaction="([^"]+)"[^>]*>Discard draft<',
                                      page_text(client.get(f"/discussions/t/{thread_id}/reply"))).group(1))
    gone = client.post(discard)
    assert gone.status_code == 302 and drafts_of(app, member.id) == {}
    assert "Your draft is discarded." in page_text(client.get(gone.headers["Location"]))


def test_a_draft_is_its_members_alone(app, make_user, login, make_category, make_thread, make_cohort):
    author, colleague, outsider = make_user(), make_user(), make_user()
    cohort = make_cohort({author.id: "fellow", colleague.id: "fellow"})
    category_id, _ = make_category(visibility="cohort", cohort_id=cohort)
    thread_id, _ = make_thread(category_id, author.id)
    login(app.test_client(), author).post(f"/discussions/t/{thread_id}/draft",
                                          data={"body": "Private musing, MRN 12345678"}, headers=JSON)
    # A colleague in the thread sees an empty reply box, not the author's draft, on every page.
    colleague_client = login(app.test_client(), colleague)
    for url in (f"/discussions/t/{thread_id}", f"/discussions/t/{thread_id}/reply", "/discussions/",
                "/discussions/search?q=musing", "/"):
        assert "Private musing" not in page_text(colleague_client.get(url)), url
    # A member who may not see the thread gets 404 for its draft URLs, and changes nothing.
    outsider_client = login(app.test_client(), outsider)
    refused = outsider_client.post(f"/discussions/t/{thread_id}/draft", data={"body": "x"}, headers=JSON)
    assert refused.status_code == 404
    assert outsider_client.post(f"/discussions/t/{thread_id}/draft/discard").status_code == 404
    assert drafts_of(app, author.id) == {thread_id: "Private musing, MRN 12345678"}
    assert drafts_of(app, outsider.id) == {}


def test_a_draft_longer_than_a_post_is_refused_with_a_message(app, writing):
    client, member, thread_id = writing
    too_long = "x" * (MAX_POST_LENGTH + 1)
    answer = client.post(f"/discussions/t/{thread_id}/draft", data={"body": too_long}, headers=JSON)
    assert answer.status_code == 413 and "at most 20,000 characters" in answer.json["error"]
    page = client.post(f"/discussions/t/{thread_id}/draft", data={"body": too_long})
    assert page.status_code == 413 and "at most 20,000 characters" in page_text(page)
    assert drafts_of(app, member.id) == {}


def test_a_locked_thread_takes_no_draft(app, writing):
    client, _member, thread_id = writing
    with app.app_context():
        db.session.get(Thread, thread_id).locked = True
        db.session.commit()
    assert client.post(f"/discussions/t/{thread_id}/draft", data={"body": "x"}, headers=JSON).status_code == 403


def test_drafts_are_in_the_data_download_and_go_with_the_account(app, writing):
    from network.export.services import member_data
    from network.members.models import User
    from network.profiles.services import delete_account

    client, member, thread_id = writing
    client.post(f"/discussions/t/{thread_id}/draft", data={"body": "Unfinished"}, headers=JSON)
    with app.test_request_context():
        data = member_data(db.session.get(User, member.id))
        assert [(d["thread"], d["body"]) for d in data["drafts"]] == [("Cooled RF outcomes", "Unfinished")]
        delete_account(db.session.get(User, member.id))
        db.session.commit()
    assert drafts_of(app, member.id) == {}
