"""Query budget: the category list, a category, a thread page and search cost the same with 5 and 500 rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.extensions import db

BUDGET = 12


def add_posts(app, thread_id, author_id, n, word="ketamine"):
    """Bulk replies (no notifications): the budget is about reading."""
    from network.discussions.models import Post, Thread
    from network.discussions.rendering import render_body

    with app.test_request_context():
        thread = db.session.get(Thread, thread_id)
        html, _ = render_body(f"A reply about {word} and **nerve blocks**.")
        posts = [Post(thread_id=thread_id, author_id=author_id, body=f"A reply about {word} and **nerve blocks**.",
                      body_html=html) for _ in range(n)]
        db.session.add_all(posts)  # the flush indexes them
        db.session.flush()
        thread.post_count += n
        thread.last_post_id = posts[-1].id
        db.session.commit()


def add_threads(app, category_id, author_id, n):
    from network.discussions.models import Thread
    from network.types import utcnow

    with app.app_context():
        now = utcnow()
        db.session.add_all([Thread(category_id=category_id, author_id=author_id, title=f"Bulk thread {i}",
                                   last_post_at=now - timedelta(minutes=i), post_count=1, last_post_id=i + 1)
                            for i in range(n)])
        db.session.commit()


def measure(client, count_queries, url):
    client.get(url)  # warm: first visits may create cohort categories or read marks
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("role", ["fellow", "faculty"])
def test_pages_cost_the_same_with_5_and_500_rows(app, make_user, login, make_category, make_thread, make_cohort,
                                                  count_queries, role):
    member, other = make_user(role=role), make_user()
    make_cohort({member.id: "faculty" if role == "faculty" else "fellow"})
    client = login(app.test_client(), member)
    category_id, slug = make_category()
    thread_id, _ = make_thread(category_id, other.id, title="Ketamine infusions", replies=3,
                               reply_body="ketamine dosing")
    small_thread, _ = make_thread(category_id, other.id, title="Small", replies=3)
    pages = {"index": "/discussions/", "category": f"/discussions/c/{slug}",
             "thread": f"/discussions/t/{thread_id}", "search": "/discussions/search?q=ketamine"}
    # Read the first post only, so unread counting has work to do.
    with app.app_context():
        from network.discussions.services.subscriptions import mark_read

        mark_read(member.id, small_thread, 1, None)
        db.session.commit()
    small = {name: measure(client, count_queries, url) for name, url in pages.items()}
    add_posts(app, thread_id, other.id, 500)
    add_threads(app, category_id, other.id, 500)
    large = {name: measure(client, count_queries, url) for name, url in pages.items()}
    large["thread page 20"] = measure(client, count_queries, f"/discussions/t/{thread_id}?after={200}")
    assert large["thread page 20"] == large["thread"]
    for name in pages:
        assert large[name] == small[name], (name, small, large)
        assert large[name] <= BUDGET, (name, large)


def test_a_first_visit_that_writes_the_read_mark_costs_no_query_per_post(app, make_user, login, make_category,
                                                                        make_thread, count_queries):
    """The read mark is written after the page is built: a commit before it would expire every post and
    author, and the page would read each one again."""
    member, other = make_user(), make_user()
    client = login(app.test_client(), member)
    category_id, _ = make_category()
    few, _ = make_thread(category_id, other.id, title="Few replies", replies=2)
    many, _ = make_thread(category_id, other.id, title="Many replies", replies=2)
    add_posts(app, many, other.id, 30)
    client.get("/discussions/")  # warm: the session's first page writes last-seen
    costs = {}
    for thread_id in (few, many):
        with count_queries() as queries:
            response = client.get(f"/discussions/t/{thread_id}")
        assert response.status_code == 200
        costs[thread_id] = len(queries)
        again = measure(client, count_queries, f"/discussions/t/{thread_id}")
        # The read mark: looked up, then inserted in a savepoint (SAVEPOINT, INSERT, RELEASE).
        assert costs[thread_id] <= again + 4, "the first visit writes the read mark: a few writes, no reads per post"
    assert costs[few] == costs[many], costs
    assert costs[many] <= BUDGET
