"""A member of another cohort gets 404 from every URL of a cohort category, and sees it nowhere else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from tests.discussions.conftest import page_text
from tests.html_checks import check_page


@pytest.fixture
def cohort_world(app, make_user, make_cohort, make_category, make_thread):
    """Two cohorts of two programs; the first cohort's category holds a thread, a reply and a flag."""
    from network.discussions.models import Flag, Post
    from network.discussions.services import flags
    from network.members.models import User

    insider, insider_faculty = make_user(name="Ines Insider"), make_user(role="faculty", name="Fay Faculty")
    interloper, interloper_faculty = make_user(name="Fred Interloper"), make_user(role="faculty", name="Olga Other")
    make_cohort({interloper.id: "fellow", interloper_faculty.id: "faculty"}, staff=(interloper_faculty.id,))
    cohort_id = make_cohort({insider.id: "fellow", insider_faculty.id: "faculty"}, staff=(insider_faculty.id,))
    category_id, slug = make_category("cohort", cohort_id=cohort_id, name="Private cohort")
    thread_id, (first, reply) = make_thread(
        category_id, insider.id, title="Hidden schedule", body="Mentioning @Fred Interloper about the schedule",
        replies=1, reply_author_id=insider_faculty.id, reply_body="confidential fluoroscopy rota")
    with app.test_request_context():
        flag = flags.flag_post(db.session.get(User, insider.id), db.session.get(Post, reply), "check")
        db.session.commit()
        flag_id = flag.id
        assert db.session.scalar(select(Flag.id)) == flag_id
    return {"insider": insider, "faculty": insider_faculty, "interlopers": [interloper, interloper_faculty],
            "slug": slug, "category_id": category_id, "thread_id": thread_id, "first": first, "reply": reply,
            "flag_id": flag_id}


def urls(world):
    s, t, p, r = world["slug"], world["thread_id"], world["first"], world["reply"]
    return [
        ("GET", f"/discussions/c/{s}"), ("GET", f"/discussions/c/{s}/new"), ("POST", f"/discussions/c/{s}/new"),
        ("GET", f"/discussions/t/{t}"), ("GET", f"/discussions/t/{t}?after={p}"),
        ("GET", f"/discussions/t/{t}/unread"),
        ("GET", f"/discussions/t/{t}/reply"), ("GET", f"/discussions/t/{t}/reply?quote={p}"),
        ("POST", f"/discussions/t/{t}/reply"), ("GET", f"/discussions/p/{p}"), ("GET", f"/discussions/p/{r}"),
        ("GET", f"/discussions/p/{p}/edit"), ("POST", f"/discussions/p/{p}/edit"),
        ("GET", f"/discussions/p/{p}/history"),
        ("POST", f"/discussions/p/{r}/remove"), ("POST", f"/discussions/p/{r}/restore"),
        ("GET", f"/discussions/p/{r}/flag"),
        ("POST", f"/discussions/p/{r}/flag"),
        ("POST", f"/discussions/t/{t}/subscription"), ("POST", f"/discussions/t/{t}/pin"),
        ("POST", f"/discussions/t/{t}/lock"), ("GET", f"/discussions/t/{t}/move"), ("POST", f"/discussions/t/{t}/move"),
        ("POST", f"/discussions/p/{r}/approve"), ("POST", f"/discussions/moderation/flags/{world['flag_id']}"),
        # The feeds filtered to the category, and marking it read.
        ("GET", f"/discussions/?category={world['category_id']}"),
        ("GET", f"/discussions/unread?category={world['category_id']}"),
        ("POST", "/discussions/mark-read"),  # with the category's id in the form
    ]


def test_another_cohort_gets_404_from_every_url(app, login, cohort_world):
    for interloper in cohort_world["interlopers"]:
        client = login(app.test_client(), interloper)
        for method, url in urls(cohort_world):
            data = {"title": "x", "body": "x", "submit": "x", "reason": "x", "level": "watch", "value": "on",
                    "action": "remove", "version": "1", "category_id": str(cohort_world["category_id"]),
                    "category": str(cohort_world["category_id"])}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            expected = 403 if url.startswith("/discussions/moderation") and interloper.role == "fellow" else 404
            assert response.status_code == expected, (interloper.role, method, url, response.status_code)
    # Nothing changed: the thread is still unlocked, unpinned, not moved; the reply not removed.
    from network.discussions.models import Post, Thread

    with app.app_context():
        thread = db.session.get(Thread, cohort_world["thread_id"])
        assert (thread.locked, thread.pinned, thread.category_id, thread.post_count) == \
            (False, False, cohort_world["category_id"], 2)
        assert db.session.get(Post, cohort_world["reply"]).removed_at is None


def test_the_cohort_category_is_invisible_in_lists_search_notifications_and_mentions(app, login, cohort_world):
    for interloper in cohort_world["interlopers"]:
        client = login(app.test_client(), interloper)
        for feed in ("/discussions/", "/discussions/unread", "/discussions/c/"):
            assert "Private cohort" not in page_text(client.get(feed)) and "Hidden schedule" not in page_text(
                client.get(feed))
        home = client.get("/")
        assert home.status_code == 200 and "Hidden schedule" not in page_text(home)
        found = page_text(client.get("/discussions/search?q=confidential+fluoroscopy"))
        assert "Hidden schedule" not in found and "Nothing matches" in found
        assert "Hidden schedule" not in page_text(client.get("/notifications/"))
        moderation = client.get("/discussions/moderation")
        assert moderation.status_code == 403 or "check" not in page_text(moderation).split("Open flags")[1]
    # The mention linked the name but notified nobody who cannot see the thread.
    insider = login(app.test_client(), cohort_world["insider"])
    page = page_text(insider.get(f"/discussions/t/{cohort_world['thread_id']}"))
    assert f'href="/members/{cohort_world["interlopers"][0].id}"' in page
    # Insiders see it everywhere; their faculty moderate it.
    assert "Private cohort" in page_text(insider.get("/discussions/c/"))
    assert "Hidden schedule" in page_text(insider.get("/discussions/"))  # read: in Latest, not in Unread
    assert "Hidden schedule" not in page_text(insider.get("/discussions/unread"))
    assert "Hidden schedule" in page_text(insider.get("/"))  # the home page's latest discussions
    assert "Hidden schedule" in page_text(insider.get("/discussions/search?q=confidential"))
    faculty = login(app.test_client(), cohort_world["faculty"])
    assert "check" in page_text(faculty.get("/discussions/moderation"))


@pytest.mark.parametrize("role", ["fellow", "faculty", "admin"])
def test_every_discussion_page_is_valid_accessible_html(app, login, make_user, cohort_world, role):
    if role == "fellow":
        member = cohort_world["insider"]
    elif role == "faculty":
        member = cohort_world["faculty"]
    else:
        member = make_user(role="admin")
    client = login(app.test_client(), member)
    s, t, p = cohort_world["slug"], cohort_world["thread_id"], cohort_world["first"]
    pages = ["/discussions/", "/discussions/unread", "/discussions/c/", "/discussions/?category=cohort",
             f"/discussions/c/{s}", f"/discussions/c/{s}/new", f"/discussions/t/{t}",
             f"/discussions/t/{t}/reply", f"/discussions/t/{t}/reply?quote={p}", f"/discussions/p/{p}/flag",
             "/discussions/search", "/discussions/search?q=schedule", "/notifications/", "/notifications/settings", "/"]
    if role != "faculty":
        pages += [f"/discussions/p/{p}/edit", f"/discussions/p/{p}/history"]
    if role != "fellow":
        pages += ["/discussions/moderation", f"/discussions/t/{t}/move"]
    if role == "admin":
        pages += ["/discussions/categories", "/discussions/categories/new",
                  f"/discussions/categories/{cohort_world['category_id']}/edit"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert check_page(response.data) == [], url
    # Forms with errors, a preview, identifiers to confirm.
    for data in ({"title": "", "body": ""}, {"title": "T", "body": "**bold**", "preview": "Preview"},
                 {"title": "T", "body": "Call me at 617-555-0134"}):
        response = client.post(f"/discussions/c/{s}/new",
                               data=data if "preview" in data else {"submit": "x", **data})
        assert check_page(response.data) == [], data
