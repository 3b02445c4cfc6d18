"""The Latest and Unread feeds, "Mark all read" and the navigation's count of unread threads: what a member sees
across categories (never a thread of a category they may not see), how unread posts are counted, the filters,
keyset paging, bad input, and the query budget."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from network.extensions import db
from tests.discussions.conftest import page_text
from tests.discussions.test_queries import add_posts


def rows_of(html: str) -> list[str]:
    """The thread titles of a feed page, in order."""
    feed = html.split('<ul class="list-group mb-3 feed">', 1)[1].split("</ul>", 1)[0] if "feed\">" in html else ""
    return re.findall(r'<a class="fw-semibold" href="/discussions/t/\d+">([^<]+)</a>', feed)


def new_counts(html: str) -> dict[str, int]:
    """``{thread title: "N new"}`` of a feed page."""
    return {title: int(n) for n, title in re.findall(r'>(\d+) new<span class="visually-hidden"> in ([^<]+)</span>',
                                                   html)}


def reply(app, thread_id: int, author_id: int, body: str = "A new reply.") -> int:
    from network.discussions.models import Thread
    from network.discussions.services import posting
    from network.members.models import User

    with app.test_request_context():
        post = posting.reply(db.session.get(User, author_id), db.session.get(Thread, thread_id), body)
        db.session.commit()
        return post.id


def unread_count(app, member) -> int:
    from network.discussions.queries import unread_thread_count
    from network.members.models import User

    with app.app_context():
        return unread_thread_count(db.session.get(User, member.id))


@pytest.fixture
def world(app, make_user, make_cohort, make_category, make_thread):
    """A fellow in a cohort; an open category, the cohort's category, another cohort's and the faculty lounge, each
    with a thread by the alumna (two replies each), the newest last."""
    fellow, alumna, outsider = make_user(name="Fran Fellow"), make_user(role="alumni"), make_user(name="Otto Out")
    mine = make_cohort({fellow.id: "fellow", alumna.id: "fellow"})
    theirs = make_cohort({outsider.id: "fellow", alumna.id: "fellow"})
    open_id, _ = make_category(name="Open talk")
    cohort_id, _ = make_category("cohort", cohort_id=mine, name="Our class")
    other_id, _ = make_category("cohort", cohort_id=theirs, name="Their class")
    lounge_id, _ = make_category("faculty", name="Faculty lounge")
    threads = {}
    for title, category in (("Open question", open_id), ("Class schedule", cohort_id),
                            ("Their secret rota", other_id), ("Lounge gossip", lounge_id)):
        threads[title], _ = make_thread(category, alumna.id, title=title, replies=2, reply_author_id=alumna.id)
    return {"fellow": fellow, "alumna": alumna, "outsider": outsider, "threads": threads,
            "categories": {"open": open_id, "cohort": cohort_id, "other": other_id, "lounge": lounge_id}}


# -- what the feeds show -------------------------------------------------------------

def test_latest_lists_every_visible_thread_newest_first_with_category_author_replies_and_time(app, login, world):
    client = login(app.test_client(), world["fellow"])
    html = page_text(client.get("/discussions/"))
    assert rows_of(html) == ["Class schedule", "Open question"]
    assert 'aria-current="page" href="/discussions/">Latest' in html
    row = html.split("Class schedule</a>", 1)[1].split("</li>", 1)[0]
    assert "Our class" in row and "by Test Alumni" in row and "2 replies" in row and "<time datetime=" in row
    # Never opened: every post of the thread is new to the fellow.
    assert new_counts(html) == {"Class schedule": 3, "Open question": 3}


def test_unread_counts_the_posts_after_the_read_mark_and_a_read_thread_leaves_unread(app, login, world):
    client = login(app.test_client(), world["fellow"])
    assert rows_of(page_text(client.get("/discussions/unread"))) == ["Class schedule", "Open question"]
    client.get(f"/discussions/t/{world['threads']['Open question']}")
    html = page_text(client.get("/discussions/unread"))
    assert rows_of(html) == ["Class schedule"]
    assert rows_of(page_text(client.get("/discussions/"))) == ["Class schedule", "Open question"]
    reply(app, world["threads"]["Open question"], world["alumna"].id)
    html = page_text(client.get("/discussions/unread"))
    assert rows_of(html) == ["Open question", "Class schedule"]
    assert new_counts(html) == {"Open question": 1, "Class schedule": 3}
    assert f'href="/discussions/t/{world["threads"]["Open question"]}/unread">1 new' in html


def test_a_member_never_sees_a_thread_of_a_category_they_may_not_see(app, login, make_user, world):
    for member, hidden in ((world["fellow"], ("Their secret rota", "Lounge gossip")),
                           (world["outsider"], ("Class schedule", "Lounge gossip"))):
        client = login(app.test_client(), member)
        for url in ("/discussions/", "/discussions/unread", "/discussions/?category=cohort",
                    "/discussions/unread?category=cohort"):
            html = page_text(client.get(url))
            assert not any(title in html for title in hidden), (member.name, url)
        assert unread_count(app, member) == 2  # the open thread and their own cohort's
    faculty = make_user(role="faculty")
    assert rows_of(page_text(login(app.test_client(), faculty).get("/discussions/"))) == ["Lounge gossip",
                                                                                          "Open question"]
    admin = make_user(role="admin")
    assert len(rows_of(page_text(login(app.test_client(), admin).get("/discussions/")))) == 4


def test_a_thread_held_for_review_shows_only_to_its_author(app, login, make_user, make_category, world):
    from network.discussions.models import Thread

    with app.app_context():
        thread = db.session.get(Thread, world["threads"]["Open question"])
        thread.held = True
        db.session.commit()
    assert "Open question" not in page_text(login(app.test_client(), world["fellow"]).get("/discussions/"))
    assert unread_count(app, world["fellow"]) == 1
    assert "Open question" in page_text(login(app.test_client(), world["alumna"]).get("/discussions/"))


def test_the_navigation_counts_unread_threads_in_words(app, login, world):
    client = login(app.test_client(), world["fellow"])
    html = page_text(client.get("/members/"))
    assert re.search(r'Discussions <span class="badge[^>]*id="unread-threads">2<span class="visually-hidden"> '
                     r'unread threads</span>', html)
    client.get(f"/discussions/t/{world['threads']['Open question']}")
    assert '>1<span class="visually-hidden"> unread thread</span>' in page_text(client.get("/members/"))
    client.get(f"/discussions/t/{world['threads']['Class schedule']}")
    assert 'id="unread-threads"' not in page_text(client.get("/members/"))


def test_the_count_stops_at_its_cap(app, make_user, make_category):
    from network.discussions.models import Thread
    from network.discussions.queries import UNREAD_COUNT_CAP

    member, author = make_user(), make_user()
    category_id, _ = make_category()
    with app.app_context():
        db.session.execute(insert(Thread), [{"category_id": category_id, "author_id": author.id, "title": f"T{n}",
                                             "post_count": 1, "last_post_id": n + 1}
                                            for n in range(UNREAD_COUNT_CAP + 5)])
        db.session.commit()
    assert unread_count(app, member) == UNREAD_COUNT_CAP


# -- filters -------------------------------------------------------------------------

def test_filters_by_category_and_by_my_cohort(app, login, world):
    client = login(app.test_client(), world["fellow"])
    open_id = world["categories"]["open"]
    html = page_text(client.get(f"/discussions/?category={open_id}"))
    assert rows_of(html) == ["Open question"] and f'<option value="{open_id}" selected>' in html
    assert rows_of(page_text(client.get("/discussions/?category=cohort"))) == ["Class schedule"]
    assert rows_of(page_text(client.get("/discussions/unread?category=cohort"))) == ["Class schedule"]


@pytest.mark.parametrize("category", ["other", "lounge", "missing", "abc", "99999999999999", "-1", "1.5"])
def test_a_category_the_member_may_not_see_or_that_is_not_one_is_a_404(app, login, world, category):
    client = login(app.test_client(), world["fellow"])
    value = {"other": world["categories"]["other"], "lounge": world["categories"]["lounge"],
             "missing": 4242}.get(category, category)
    for url in ("/discussions/", "/discussions/unread"):
        assert client.get(f"{url}?category={value}").status_code == 404
    assert client.post("/discussions/mark-read", data={"category": value}).status_code == 404


# -- paging --------------------------------------------------------------------------

def bulk_threads(app, category_id, author_id, n, title="Bulk thread"):
    """``n`` threads of one post each, the first the newest."""
    from network.discussions.models import Post, Thread
    from network.types import utcnow

    with app.app_context():
        now = utcnow() - timedelta(days=1)
        db.session.execute(insert(Thread), [
            {"category_id": category_id, "author_id": author_id, "title": f"{title} {i}",
             "last_post_at": now - timedelta(minutes=i), "post_count": 1} for i in range(n)])
        threads = db.session.scalars(select(Thread).where(Thread.first_post_id.is_(None))).all()
        db.session.execute(insert(Post), [{"thread_id": t.id, "author_id": author_id, "body": "Hi",
                                           "body_html": "<p>Hi</p>"} for t in threads])
        for thread in threads:
            thread.first_post_id = thread.last_post_id = db.session.scalar(
                select(func.max(Post.id)).where(Post.thread_id == thread.id))
        db.session.commit()


@pytest.mark.parametrize("feed", ["/discussions/", "/discussions/unread"])
def test_older_pages_follow_by_key(app, login, make_user, make_category, count_queries, feed):
    member, author = make_user(), make_user()
    category_id, _ = make_category()
    bulk_threads(app, category_id, author.id, 35)
    client = login(app.test_client(), member)
    first = page_text(client.get(feed))
    assert rows_of(first) == [f"Bulk thread {i}" for i in range(30)]
    older = re.search(r'href="([^"]+before=[^"]+)">Older', first).group(1).replace("&amp;", "&")
    with count_queries() as statements:
        second = page_text(client.get(older))
    assert rows_of(second) == [f"Bulk thread {i}" for i in range(30, 35)]
    assert "Older</a>" not in second and ">Newest</a>" in second
    # By key: the page starts after the cursor's (last activity, id), not after skipping rows.
    assert any("discussion_thread.last_post_at <" in statement for statement in statements)


@pytest.mark.parametrize("cursor", ["nonsense", "2026-13-45T00:00:00_3", "_", "2026-01-01_abc",
                                    "2026-01-01_" + "9" * 20])
def test_a_bad_cursor_gives_the_first_page(app, login, world, cursor):
    client = login(app.test_client(), world["fellow"])
    response = client.get(f"/discussions/?before={cursor}")
    assert response.status_code == 200 and rows_of(page_text(response)) == ["Class schedule", "Open question"]


# -- mark all read --------------------------------------------------------------------

def test_mark_all_read_marks_every_visible_thread_and_redirects_with_a_message(app, login, world):
    from network.discussions.models import ReadMark

    client = login(app.test_client(), world["fellow"])
    response = client.post("/discussions/mark-read", data={"view": "unread"})
    assert response.status_code == 302 and response.headers["Location"] == "/discussions/unread"
    html = page_text(client.get("/discussions/unread"))
    assert "Every thread is marked read." in html and rows_of(html) == [] and "all caught up" in html
    assert unread_count(app, world["fellow"]) == 0
    with app.app_context():
        marked = set(db.session.scalars(select(ReadMark.thread_id).where(ReadMark.user_id == world["fellow"].id)))
    # The threads of categories the fellow may not see got no mark.
    assert marked == {world["threads"]["Open question"], world["threads"]["Class schedule"]}
    # A reply after that is unread again, counted from the mark.
    reply(app, world["threads"]["Open question"], world["alumna"].id)
    assert new_counts(page_text(client.get("/discussions/unread"))) == {"Open question": 1}


def test_mark_all_read_keeps_to_the_filter(app, login, world):
    client = login(app.test_client(), world["fellow"])
    response = client.post("/discussions/mark-read", data={"view": "latest", "category": "cohort"})
    assert response.headers["Location"] == "/discussions/?category=cohort"
    assert "in your cohorts&#39; categories is marked read" in page_text(client.get(response.headers["Location"]))
    assert rows_of(page_text(client.get("/discussions/unread"))) == ["Open question"]
    client.post("/discussions/mark-read", data={"category": str(world["categories"]["open"])})
    assert rows_of(page_text(client.get("/discussions/unread"))) == []


def test_mark_all_read_never_moves_a_mark_back_and_refuses_a_bad_view(app, login, world):
    from network.discussions.models import ReadMark

    client = login(app.test_client(), world["fellow"])
    thread_id = world["threads"]["Open question"]
    client.get(f"/discussions/t/{thread_id}")
    client.post("/discussions/mark-read", data={})
    with app.app_context():
        mark = db.session.get(ReadMark, (world["fellow"].id, thread_id)).last_read_post_id
        from network.discussions.models import Thread
        assert mark == db.session.get(Thread, thread_id).last_post_id
    assert client.post("/discussions/mark-read", data={"view": "everything"}).status_code == 400


@pytest.mark.parametrize("threads", [5, 60])
def test_mark_all_read_writes_in_one_statement_however_many_threads(app, login, make_user, make_category,
                                                                  count_queries, threads):
    member, author = make_user(), make_user()
    category_id, _ = make_category()
    bulk_threads(app, category_id, author.id, threads)
    client = login(app.test_client(), member)
    client.get("/discussions/")
    with count_queries() as statements:
        assert client.post("/discussions/mark-read", data={}).status_code == 302
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
              and "discussion_read_mark" in s]
    assert len(writes) == 1, writes
    assert unread_count(app, member) == 0


# -- query budget ---------------------------------------------------------------------

def test_each_feed_costs_the_same_queries_with_5_and_500_threads(app, login, make_user, make_category, make_cohort,
                                                                 count_queries):
    from tests.discussions.test_queries import BUDGET, measure

    member, author = make_user(), make_user()
    cohort = make_cohort({member.id: "fellow"})
    open_id, _ = make_category()
    cohort_category, _ = make_category("cohort", cohort_id=cohort)
    pages = ["/discussions/", "/discussions/unread", "/discussions/?category=cohort",
             f"/discussions/unread?category={open_id}", "/discussions/c/"]

    def fill(n):
        bulk_threads(app, open_id, author.id, n, title=f"Open {n}")
        bulk_threads(app, cohort_category, author.id, n, title=f"Cohort {n}")
        with app.app_context():  # half of the threads read, some of those with new posts since
            from network.discussions.models import Thread
            from network.discussions.services.subscriptions import mark_read

            for thread in db.session.scalars(select(Thread).where(Thread.title.like(f"% {n} %"))).all()[::2]:
                mark_read(member.id, thread.id, thread.last_post_id, None)
            db.session.commit()
            busy = db.session.scalars(select(Thread.id).where(Thread.title.like(f"% {n} %"))).all()[:4]
        for thread_id in busy:
            add_posts(app, thread_id, author.id, 3)

    client = login(app.test_client(), member)
    fill(5)
    small = {url: measure(client, count_queries, url) for url in pages}
    fill(495)
    large = {url: measure(client, count_queries, url) for url in pages}
    assert large == small
    assert max(large.values()) <= BUDGET, large


def test_each_row_shows_the_authors_avatar_and_whether_the_thread_is_answered(app, login, world):
    from network.discussions.models import Post, Thread
    from network.discussions.services.answers import mark_answer
    from network.members.models import User

    thread_id = world["threads"]["Open question"]
    with app.test_request_context():
        thread = db.session.get(Thread, thread_id)
        last = db.session.get(Post, thread.last_post_id)
        mark_answer(db.session.get(User, world["alumna"].id), thread, last)
        db.session.commit()
    html = page_text(login(app.test_client(), world["fellow"]).get("/discussions/"))
    answered = html.split("Open question</a>", 1)[0].rsplit("<li", 1)[1]
    unanswered = html.split("Class schedule</a>", 1)[0].rsplit("<li", 1)[1]
    assert "Answered" in answered and "Answered" not in unanswered
    # The alumna has no photo: her initials on a disc, hidden from screen readers (her name follows).
    assert re.search(r'<span class="avatar avatar-40 avatar-initials avatar-c\d" aria-hidden="true">TA</span>',
                     unanswered)
