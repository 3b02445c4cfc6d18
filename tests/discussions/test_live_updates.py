"""A thread page's live updates (GET /discussions/t/<id>/updates): the posts after the last one shown, as the
page renders them for this member, or 304 while no post has changed; and the navigation's counts."""

from __future__ import annotations

import re

from sqlalchemy import update

from network.discussions.models import Post, Thread
from network.discussions.services import posting, removal
from network.extensions import db
from network.members.models import User
from network.notifications.services import notify
from tests.discussions.conftest import page_text


def poll(client, thread_id, after, etag=None):
    headers = {"Accept": "application/json"} | ({"If-None-Match": etag} if etag else {})
    return client.get(f"/discussions/t/{thread_id}/updates?after={after}", headers=headers)


def reply_as(app, member_id, thread_id, body):
    with app.test_request_context():
        post = posting.reply(db.session.get(User, member_id), db.session.get(Thread, thread_id), body)
        db.session.commit()
        return post.id


def test_nothing_new_is_304_and_a_reply_arrives_rendered_like_the_page(app, make_user, login, make_category,
                                                                        make_thread):
    reader, writer = make_user(), make_user(role="alumni", name="Dr. Lena Ortiz")
    category_id, _ = make_category()
    thread_id, (first,) = make_thread(category_id, reader.id)
    client = login(app.test_client(), reader)
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert f'data-after="{first}"' in page and 'data-last-page="true"' in page
    answer = poll(client, thread_id, first)
    assert answer.status_code == 200 and answer.json["count"] == 0 and answer.json["html"] == ""
    etag = answer.headers["ETag"]
    assert "private" in answer.headers["Cache-Control"]
    assert poll(client, thread_id, first, etag).status_code == 304

    reply_id = reply_as(app, writer.id, thread_id, "Start at **10 mg** and titrate.")
    answer = poll(client, thread_id, first, etag)
    assert answer.status_code == 200
    assert answer.json["count"] == 1 and answer.json["after"] == reply_id
    html = answer.json["html"]
    assert f'id="post-{reply_id}"' in html and "Dr. Lena Ortiz" in html and "<strong>10 mg</strong>" in html
    assert "Quote" in html and "Flag" in html  # the page's own partial, with the reader's actions
    # The next poll, from the new last post, is 304 again.
    assert poll(client, thread_id, reply_id, answer.headers["ETag"]).status_code == 304


def test_an_edit_or_removal_anywhere_changes_the_answer_and_a_removed_post_shows_as_removed(
        app, make_user, login, make_category, make_thread):
    reader, writer = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, (first,) = make_thread(category_id, reader.id)
    client = login(app.test_client(), reader)
    etag = poll(client, thread_id, first).headers["ETag"]
    reply_id = reply_as(app, writer.id, thread_id, "A reply that goes.")
    with app.test_request_context():
        removal.remove_post(db.session.get(User, writer.id), db.session.get(Post, reply_id))
        db.session.commit()
    answer = poll(client, thread_id, first, etag)
    assert answer.status_code == 200 and answer.json["count"] == 1
    assert "This post was removed." in answer.json["html"] and "A reply that goes." not in answer.json["html"]


def test_a_core_write_to_a_post_changes_the_answer_too(app, make_user, login, make_category, make_thread):
    """Not only the services' ORM writes: a Core statement (a bulk job, a script) changes the version too."""
    reader = make_user()
    category_id, _ = make_category()
    thread_id, (first,) = make_thread(category_id, reader.id)
    client = login(app.test_client(), reader)
    etag = poll(client, thread_id, first).headers["ETag"]
    with app.app_context():
        db.session.execute(update(Post).where(Post.id == first).values(body_html="<p>Fixed by a script.</p>"))
        db.session.commit()
    assert poll(client, thread_id, first, etag).status_code == 200


def test_a_held_reply_reaches_its_author_and_the_moderators_only(app, make_user, login, make_category, make_thread):
    reader, writer, admin = make_user(), make_user(), make_user(role="admin")
    category_id, _ = make_category(holds_phi_matches=True)
    thread_id, (first,) = make_thread(category_id, reader.id)
    held = reply_as(app, writer.id, thread_id, "Patient MRN 12345678 had the block on 3/4/2026.")
    with app.app_context():
        assert db.session.get(Post, held).held
    for member, sees in ((reader, False), (writer, True), (admin, True)):
        answer = poll(login(app.test_client(), member), thread_id, first)
        assert answer.status_code == 200
        assert (f'id="post-{held}"' in answer.json["html"]) is sees, member.role


def test_a_member_who_cannot_see_the_thread_gets_404_even_with_an_etag_from_elsewhere(
        app, make_user, login, make_category, make_thread, make_cohort):
    insider, outsider = make_user(), make_user()
    cohort = make_cohort({insider.id: "fellow"})
    private_id, _ = make_category(visibility="cohort", cohort_id=cohort)
    open_id, _ = make_category()
    secret, (secret_first,) = make_thread(private_id, insider.id)
    public, (public_first,) = make_thread(open_id, insider.id)
    client = login(app.test_client(), outsider)
    assert poll(client, secret, secret_first).status_code == 404
    etag = poll(client, public, public_first).headers["ETag"]
    # An ETag is sealed to its member, thread and post: another thread's does not open this one.
    assert poll(client, secret, public_first, etag).status_code == 404
    assert poll(login(app.test_client(), insider), secret, secret_first).status_code == 200


def test_a_poll_costs_two_queries_when_nothing_changed_and_the_same_few_with_news(
        app, make_user, login, make_category, make_thread, count_queries):
    reader, writer = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, (first,) = make_thread(category_id, reader.id)
    client = login(app.test_client(), reader)
    client.get("/discussions/")  # warm: the session's first page writes last-seen
    etag = poll(client, thread_id, first).headers["ETag"]
    with count_queries() as queries:
        assert poll(client, thread_id, first, etag).status_code == 304
    assert len(queries) <= 2, queries

    costs, after = [], first
    for replies in (1, 15):
        newest = [reply_as(app, writer.id, thread_id, f"News {n}") for n in range(replies)][-1]
        with count_queries() as queries:
            answer = poll(client, thread_id, after, etag)
        assert answer.status_code == 200 and answer.json["count"] == replies
        costs.append(len(queries))
        after, etag = newest, answer.headers["ETag"]
    # The version, the thread, its posts (with their authors): the same whatever the news.
    assert costs[0] == costs[1] and costs[1] <= 6, costs


def test_on_an_earlier_page_the_polls_start_after_the_threads_last_post(app, make_user, login, make_category,
                                                                       make_thread):
    reader = make_user()
    category_id, _ = make_category()
    thread_id, ids = make_thread(category_id, reader.id, replies=25)
    page = page_text(login(app.test_client(), reader).get(f"/discussions/t/{thread_id}"))
    assert 'data-last-page="false"' in page and f'data-after="{ids[-1]}"' in page
    assert "New replies — show" in page  # (hidden until the script has news; nothing shows without it)


def test_the_navigation_counts_come_as_json_with_an_etag(app, make_user, login, count_queries):
    member = make_user()
    client = login(app.test_client(), member)
    client.get("/")  # warm: the session's first page writes last-seen
    with count_queries() as queries:
        answer = client.get("/counts")
    assert answer.status_code == 200 and answer.json == {"notifications": 0, "messages": 0, "discussions": 0}
    assert len(queries) <= 2
    with count_queries() as queries:
        assert client.get("/counts", headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
    assert len(queries) <= 2
    with app.app_context():
        notify(member.id, "test", "Your mentor replied", "/mentorship/")
        db.session.commit()
    changed = client.get("/counts", headers={"If-None-Match": answer.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["notifications"] == 1
    page = page_text(client.get("/"))
    assert re.search(r'data-nav-badge="notifications">Notifications <span[^>]*>1<', page)
    assert 'data-counts-url="/counts"' in page


def test_the_navigation_counts_the_threads_with_posts_the_member_has_not_read(app, make_user, login,
                                                                            make_category, make_thread):
    member, author = make_user(), make_user(role="alumni")
    client = login(app.test_client(), member)
    answer = client.get("/counts")
    assert answer.json["discussions"] == 0
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, author.id, replies=2)
    changed = client.get("/counts", headers={"If-None-Match": answer.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["discussions"] == 1
    client.get(f"/discussions/t/{thread_id}")  # read: the thread leaves the count
    assert client.get("/counts").json["discussions"] == 0
    assert re.search(r'data-nav-badge="discussions">Discussions<', page_text(client.get("/")))


def test_the_counts_are_for_signed_in_members_only(app, make_user, login):
    assert app.test_client().get("/counts").status_code == 302
    pending = make_user(status="pending")
    assert login(app.test_client(), pending).get("/counts").status_code == 302
