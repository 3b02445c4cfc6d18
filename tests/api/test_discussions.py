"""``/api/v1/discussions``: the same threads, posts, rules and patient-identifier guard as the pages."""
# ruff: noqa: F811  (the discussion tests' factories are imported as fixtures, and the tests take them by name)

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from network.discussions.models import Category, Flag, Post, PostRevision, ReadMark, Thread
from network.discussions.services import removal
from network.discussions.services.moderation import set_locked, set_pinned
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.notifications.models import Notification
from network.types import utcnow
from tests.api.helpers import bearer, issue_token
from tests.discussions.conftest import make_category, make_cohort, make_thread, page_text  # noqa: F401  (fixtures)

API = "/api/v1/discussions"
#: From the page's tests (tests/discussions/test_phi_review.py): a cued name and an MRN, strong identifiers.
STRONG = "Pt John Smith MRN 1234567 had good relief after the block."
#: A weaker match: a phone number, which its author may confirm identifies no patient.
WEAK = "Her clinic asked us to call 617-555-0134 back"


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def _client(app, member, *scopes):
    """A test client whose requests carry ``member``'s token (read and write unless ``scopes`` say)."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer(issue_token(app, member, *(scopes or ("read", "write"))))[
        "Authorization"]
    return client


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def _posts_in_db(app, thread_id: int) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Post.body).where(Post.thread_id == thread_id).order_by(Post.id)).all()


# -- writing ------------------------------------------------------------------------------------------------

def test_a_reply_through_the_api_is_on_the_thread_page_and_notifies_the_watchers(
        app, make_user, login, make_category, make_thread):
    author, replier = make_user(), make_user(name="Dr. Ana Ruiz")
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, author.id, title="Genicular blocks")
    api = _client(app, replier)
    response = api.post(f"{API}/threads/{thread_id}/posts",
                        json={"body": "  Try **radiofrequency** at 80 °C, @Nobody Here.  "})
    assert response.status_code == 201
    post = response.get_json()
    assert post["body"] == "Try **radiofrequency** at 80 °C, @Nobody Here."  # trimmed, as the form's filter
    assert "<strong>radiofrequency</strong>" in post["body_html"]
    assert post["author"] == {"id": replier.id, "name": "Dr. Ana Ruiz"} and post["held"] is False
    assert response.headers["Location"].endswith(f"{API}/posts/{post['id']}")
    page = page_text(login(app.test_client(), author).get(f"/discussions/t/{thread_id}"))
    assert "<strong>radiofrequency</strong>" in page and "Dr. Ana Ruiz" in page
    with app.app_context():
        told = db.session.scalars(select(Notification.title).where(Notification.user_id == author.id)).all()
        thread = db.session.get(Thread, thread_id)
        assert told == ["Dr. Ana Ruiz replied in “Genicular blocks”"]
        assert (thread.post_count, thread.last_post_id) == (2, post["id"])


def test_a_thread_started_through_the_api_is_listed_on_its_category_page(app, make_user, login, make_category):
    author = make_user()
    category_id, slug = make_category()
    response = _client(app, author).post(f"{API}/categories/{category_id}/threads",
                                         json={"title": " Cooled RF \n for knees ", "body": "Who uses it?"})
    assert response.status_code == 201
    thread = response.get_json()
    assert thread["title"] == "Cooled RF for knees" and thread["post_count"] == 1 and thread["can_reply"] is True
    assert "Cooled RF for knees" in page_text(login(app.test_client(), make_user()).get(f"/discussions/c/{slug}"))
    assert _posts_in_db(app, thread["id"]) == ["Who uses it?"]


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "   "}, {"body": "x" * 20_001}, {"body": None}, {},
                                  {"body": "ok", "extra": 1}, {"body": "\ud800"},
                                  {"body": "ok", "confirm_no_phi": "x"}])
def test_a_reply_the_form_would_refuse_is_a_422_naming_the_field(app, make_user, make_category, make_thread, body):
    member = make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    problem = _problem(_client(app, member).post(f"{API}/threads/{thread_id}/posts", json=body), 422)
    assert problem["errors"]["json"]
    assert len(_posts_in_db(app, thread_id)) == 1


def test_the_guard_refuses_a_weaker_match_until_its_author_confirms_it(app, make_user, make_category, make_thread):
    author, reader = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, reader.id)
    api = _client(app, author)
    problem = _problem(api.post(f"{API}/threads/{thread_id}/posts", json={"body": WEAK}), 422)
    assert "confirm_no_phi" in problem["detail"]
    # It names what it found and where, not the number itself (a client's log keeps problems).
    assert problem["errors"]["json"] == {"body": ["Likely patient identifiers: phone number at characters 29–40."]}
    assert "617-555-0134" not in str(problem)
    assert len(_posts_in_db(app, thread_id)) == 1
    confirmed = api.post(f"{API}/threads/{thread_id}/posts", json={"body": WEAK, "confirm_no_phi": True})
    assert confirmed.status_code == 201 and confirmed.get_json()["held"] is False
    with app.app_context():  # published, and in the moderators' queue as on the page
        flag = db.session.scalars(select(Flag)).one()
        assert (flag.post_id, flag.reporter_id) == (confirmed.get_json()["id"], author.id)


def test_strong_identifiers_are_held_as_on_the_page_even_when_confirmed(app, make_user, make_category, make_thread):
    author, reader = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, reader.id)
    response = _client(app, author).post(f"{API}/threads/{thread_id}/posts",
                                         json={"body": STRONG, "confirm_no_phi": True})
    assert response.status_code == 201
    post = response.get_json()
    assert post["held"] is True
    reading = _client(app, reader, "read")
    assert reading.get(f"{API}/posts/{post['id']}").status_code == 404
    assert post["id"] not in [p["id"] for p in reading.get(f"{API}/threads/{thread_id}/posts").get_json()]
    assert post["id"] in [p["id"] for p in _client(app, author).get(f"{API}/threads/{thread_id}/posts").get_json()]
    with app.app_context():
        assert not db.session.scalars(select(Notification).where(Notification.user_id == reader.id)).all()
    # A new thread with them is held too: its category's list shows it to its author only.
    started = _client(app, author).post(f"{API}/categories/{category_id}/threads",
                                        json={"title": "Genicular block", "body": STRONG})
    assert started.status_code == 201 and started.get_json()["held"] is True
    assert started.get_json()["id"] not in [t["id"] for t in reading.get(f"{API}/categories/{category_id}/threads")
                                            .get_json()]
    assert reading.get(f"{API}/threads/{started.get_json()['id']}").status_code == 404


def test_an_edit_cannot_bring_strong_identifiers_into_a_published_post(app, make_user, make_category, make_thread):
    author = make_user()
    category_id, _ = make_category()
    thread_id, (post_id,) = make_thread(category_id, author.id, title="Knee", body="De-identified case")
    api = _client(app, author)
    etag = api.get(f"{API}/posts/{post_id}").headers["ETag"]
    problem = _problem(api.patch(f"{API}/posts/{post_id}", headers={"If-Match": etag},
                                 json={"version": 1, "body": "Now with MRN 48213377", "confirm_no_phi": True}), 422)
    assert "cannot be published" in problem["detail"]
    assert problem["errors"]["json"]["body"] == ["Likely patient identifiers: medical record number at characters "
                                                 "14–21."]
    # In the title of the opening post, the error names the title.
    problem = _problem(api.patch(f"{API}/posts/{post_id}", headers={"If-Match": etag},
                                 json={"version": 1, "title": "Pt John Smith", "confirm_no_phi": True}), 422)
    assert list(problem["errors"]["json"]) == ["title"]
    assert _posts_in_db(app, thread_id) == ["De-identified case"]


# -- editing: ETag, version -----------------------------------------------------------------------------------

def test_an_edit_needs_the_current_etag_and_version(app, make_user, make_category, make_thread):
    author = make_user()
    category_id, _ = make_category()
    thread_id, (post_id,) = make_thread(category_id, author.id, title="Knee", body="First text")
    api = _client(app, author)
    etag = api.get(f"{API}/posts/{post_id}").headers["ETag"]
    url, edit = f"{API}/posts/{post_id}", {"version": 1, "body": "Second text"}

    _problem(api.patch(url, json=edit), 428)
    _problem(api.patch(url, json=edit, headers={"If-Match": '"0123abcd"'}), 412)
    _problem(api.patch(url, json={**edit, "version": 7}, headers={"If-Match": etag}), 409)
    assert _posts_in_db(app, thread_id) == ["First text"]

    saved = api.patch(url, json={**edit, "title": "Knee, revisited"}, headers={"If-Match": etag})
    assert saved.status_code == 200
    assert saved.get_json()["version"] == 2 and saved.get_json()["body"] == "Second text"
    assert saved.get_json()["edited_at"] and saved.headers["ETag"] != etag
    assert saved.headers["ETag"] == api.get(url).headers["ETag"]
    assert api.get(f"{API}/threads/{thread_id}").get_json()["title"] == "Knee, revisited"
    with app.app_context():
        assert db.session.scalars(select(PostRevision.body)).all() == ["First text"]
    # The old ETag is stale now (412); so is the old version with the new ETag (409): the page's 409.
    _problem(api.patch(url, json={**edit, "body": "Third"}, headers={"If-Match": etag}), 412)
    _problem(api.patch(url, json={**edit, "body": "Third"}, headers={"If-Match": saved.headers["ETag"]}), 409)
    assert _posts_in_db(app, thread_id) == ["Second text"]


def test_only_who_may_edit_on_the_page_edits_here(app, make_user, make_category, make_thread):
    author, other, admin = make_user(), make_user(), make_user(role="admin")
    category_id, _ = make_category()
    thread_id, (first, reply) = make_thread(category_id, author.id, replies=1)
    url = f"{API}/posts/{reply}"
    _problem(_client(app, other).patch(url, json={"version": 1, "body": "Mine now"}, headers={"If-Match": "*"}), 403)
    _problem(_client(app, author).patch(url, json={"version": 1, "title": "A title"}, headers={"If-Match": "*"}),
             422)  # a reply has no title
    with app.app_context():
        set_locked(db.session.get(User, admin.id), db.session.get(Thread, thread_id), True)
        db.session.commit()
    _problem(_client(app, author).patch(url, json={"version": 1, "body": "Locked"}, headers={"If-Match": "*"}), 403)
    _problem(_client(app, author).post(f"{API}/threads/{thread_id}/posts", json={"body": "Locked?"}), 403)
    # The thread's moderator (an admin) still edits and replies.
    assert _client(app, admin).patch(url, json={"version": 1, "body": "Moderated"},
                                     headers={"If-Match": "*"}).status_code == 200
    assert _client(app, admin).post(f"{API}/threads/{thread_id}/posts", json={"body": "Noted"}).status_code == 201
    _problem(_client(app, author, "read").patch(url, json={"version": 2, "body": "x"}), 403)  # no write scope


# -- reading --------------------------------------------------------------------------------------------------

def test_removed_posts_keep_their_place_without_their_text(app, make_user, make_category, make_thread):
    author, reader = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, (first, reply) = make_thread(category_id, author.id, replies=1, reply_body="Regret this")
    with app.test_request_context():
        removal.remove_post(db.session.get(User, author.id), db.session.get(Post, reply))
        db.session.commit()
    api = _client(app, reader)
    posts = api.get(f"{API}/threads/{thread_id}/posts").get_json()
    assert [p["id"] for p in posts] == [first, reply]
    removed = posts[1]
    assert removed["removed"] is True and removed["author"]["id"] == author.id
    assert "body" not in removed and "body_html" not in removed and "edited_at" not in removed
    assert "Regret this" not in str(api.get(f"{API}/posts/{reply}").get_json())
    assert posts[0]["removed"] is False and posts[0]["body"] and posts[0]["body_html"].startswith("<p>")
    # Removed: no longer editable (403), as its page says.
    _problem(_client(app, author).patch(f"{API}/posts/{reply}", json={"version": 2, "body": "Back"},
                                        headers={"If-Match": "*"}), 403)


def test_hidden_categories_and_their_threads_are_404(app, make_user, make_category, make_cohort, make_thread):
    fellow, outsider, faculty = make_user(), make_user(), make_user(role="faculty")
    cohort_id = make_cohort(members={fellow.id: "fellow"})
    open_id, _ = make_category(name="Open")
    cohort_category, _ = make_category(visibility="cohort", cohort_id=cohort_id, name="Cohort")
    lounge, _ = make_category(visibility="faculty", name="Lounge")
    thread_id, (post_id,) = make_thread(cohort_category, fellow.id)
    lounge_thread, _ = make_thread(lounge, faculty.id)
    seen = {c["name"] for c in _client(app, outsider).get(f"{API}/categories").get_json()}
    assert seen == {"Open"}
    assert {c["name"] for c in _client(app, fellow).get(f"{API}/categories").get_json()} == {"Open", "Cohort"}
    assert {c["name"] for c in _client(app, faculty).get(f"{API}/categories").get_json()} == {"Open", "Lounge"}
    api = _client(app, outsider)
    for url in (f"{API}/categories/{cohort_category}/threads", f"{API}/threads/{thread_id}",
                f"{API}/threads/{thread_id}/posts", f"{API}/posts/{post_id}", f"{API}/categories/999/threads",
                f"{API}/threads/{lounge_thread}"):
        _problem(api.get(url), 404)
    _problem(api.post(f"{API}/threads/{thread_id}/posts", json={"body": "Let me in"}), 404)
    _problem(api.post(f"{API}/categories/{lounge}/threads", json={"title": "Hi", "body": "Let me in"}), 404)
    _problem(api.patch(f"{API}/posts/{post_id}", json={"version": 1, "body": "x"}, headers={"If-Match": "*"}), 404)
    assert _client(app, fellow).get(f"{API}/threads/{thread_id}/posts").status_code == 200
    assert open_id


def test_threads_come_in_the_page_order_a_page_at_a_time(app, make_user, make_category, make_thread):
    member, admin = make_user(), make_user(role="admin")
    category_id, _ = make_category()
    ids = [make_thread(category_id, member.id, title=f"T{n}")[0] for n in range(5)]
    with app.app_context():
        set_pinned(db.session.get(User, admin.id), db.session.get(Thread, ids[1]), True)
        db.session.commit()
    api = _client(app, member)
    seen, url = [], f"{API}/categories/{category_id}/threads?limit=2"
    while url:
        response = api.get(url)
        assert response.status_code == 200
        seen += [t["id"] for t in response.get_json()]
        link = response.headers.get("Link")
        url = link[1:link.index(">")] if link else None
    # Pinned first, then the latest activity first: the category page's order.
    assert seen == [ids[1], ids[4], ids[3], ids[2], ids[0]]
    _problem(api.get(f"{API}/categories/{category_id}/threads?cursor=forged"), 400)
    _problem(api.get(f"{API}/categories/{category_id}/threads?limit=0"), 422)


def test_reading_posts_pages_through_the_thread_and_moves_the_read_mark(app, make_user, make_category, make_thread):
    author, reader = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, post_ids = make_thread(category_id, author.id, replies=4)
    api = _client(app, reader)
    assert api.get(f"{API}/categories/{category_id}/threads").get_json()[0]["unread"] == 5
    first = api.get(f"{API}/threads/{thread_id}/posts?limit=3")
    assert [p["id"] for p in first.get_json()] == post_ids[:3]
    assert api.get(f"{API}/categories/{category_id}/threads").get_json()[0]["unread"] == 2
    link = first.headers["Link"]
    second = api.get(link[1:link.index(">")])
    assert [p["id"] for p in second.get_json()] == post_ids[3:] and "Link" not in second.headers
    assert api.get(f"{API}/categories/{category_id}/threads").get_json()[0]["unread"] == 0
    # An unchanged read answers 304 to its ETag.
    etag = api.get(f"{API}/threads/{thread_id}").headers["ETag"]
    assert api.get(f"{API}/threads/{thread_id}", headers={"If-None-Match": etag}).status_code == 304


def test_posting_shares_the_pages_rate_limit(make_app, make_user, login, make_category, make_thread):
    app = make_app(POST_RATE_LIMIT="2 per minute")
    member = make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    api = _client(app, member)
    url = f"{API}/threads/{thread_id}/posts"
    assert [api.post(url, json={"body": f"Reply {n}"}).status_code for n in range(2)] == [201, 201]
    problem = _problem(api.post(url, json={"body": "One more"}), 429)
    assert "posting faster than the network allows" in problem["detail"]
    assert 0 < int(api.post(url, json={"body": "One more"}).headers["Retry-After"]) <= 60
    # One allowance with the page: the reply form is refused too; another member is not.
    page = login(app.test_client(), member).post(f"/discussions/t/{thread_id}/reply",
                                                 data={"body": "From the page", "submit": "x"})
    assert page.status_code == 429
    assert _client(app, make_user()).post(url, json={"body": "Mine"}).status_code == 201
    assert _posts_in_db(app, thread_id)[-1] == "Mine" and len(_posts_in_db(app, thread_id)) == 4


# -- query budget ---------------------------------------------------------------------------------------------

def _fill(app, member_id: int, rows: int) -> tuple[int, int]:
    """``rows`` categories, threads in one category (each read before by ``member_id``, with new posts) and
    posts in one thread, each thread and post by an author of its own, written in bulk; returns (category id,
    thread id)."""
    now = utcnow()
    with app.app_context():
        first = db.session.scalar(select(func.max(User.id))) + 1
        db.session.execute(insert(User), [
            {"email": f"bulk{first + n}@example.org", "name": f"Bulk Author {first + n}", "password_hash": "x",
             "role": Role.ALUMNI, "status": MemberStatus.VERIFIED} for n in range(rows)])
        authors = db.session.scalars(select(User.id).where(User.id >= first).order_by(User.id)).all()
        start = db.session.scalar(select(func.coalesce(func.max(Category.position), 0)))
        db.session.execute(insert(Category), [
            {"slug": f"bulk-{start + n}", "name": f"Bulk {start + n}", "description": "", "position": start + n + 1}
            for n in range(rows)])
        category_id = db.session.scalar(select(Category.id).where(Category.slug == f"bulk-{start}"))
        db.session.execute(insert(Thread), [
            {"category_id": category_id, "author_id": authors[n], "title": f"Thread {n}", "created_at": now,
             "last_post_at": now - timedelta(minutes=n), "post_count": 2, "last_post_id": 10**6 + n}
            for n in range(rows)])
        thread_ids = db.session.scalars(select(Thread.id).where(Thread.category_id == category_id)).all()
        db.session.execute(insert(ReadMark), [{"user_id": member_id, "thread_id": tid, "last_read_post_id": 1}
                                              for tid in thread_ids])
        db.session.execute(insert(Post), [
            {"thread_id": thread_ids[0], "author_id": authors[n], "body": f"Post {n}",
             "body_html": f"<p>Post {n}</p>", "created_at": now} for n in range(rows)])
        db.session.commit()
        return category_id, thread_ids[0]


@pytest.mark.parametrize("path", ["/categories", "/categories/{category}/threads", "/threads/{thread}/posts"])
def test_every_list_costs_the_same_few_queries_for_5_or_500_rows(app, make_user, count_queries, path):
    member = make_user()
    counts = []
    for rows in (5, 500):
        category_id, thread_id = _fill(app, member.id, rows)
        api = _client(app, member)
        url = API + path.format(category=category_id, thread=thread_id) + "?limit=100"
        api.get(url)  # the first read moves the read mark; count a read like every later one
        with count_queries() as queries:
            response = api.get(url)
        assert response.status_code == 200 and len(response.get_json()) == min(rows, 100)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8, counts
