"""A moderator removes a post: held ones leave the review state (a held thread whose opening post goes is
removed and closed), the author is told why, and the audit log keeps the reason."""

from __future__ import annotations

from sqlalchemy import select

from network.audit.models import AuditLog
from network.discussions.models import Post
from network.extensions import db
from tests.discussions.conftest import page_text

STRONG = "Pt John Smith MRN 1234567 had good relief after the block."


def _held_thread(app, client, slug):
    response = client.post(f"/discussions/c/{slug}/new", data={"title": "Genicular block", "body": STRONG,
                                                               "confirm_no_phi": "y", "submit": "x"})
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.thread_id == thread_id))
    return thread_id, post_id


def test_removing_a_held_opening_post_removes_and_closes_the_thread(app, make_user, login, make_category):
    author, reader, admin = make_user(), make_user(), make_user(role="admin")
    _, slug = make_category()
    author_client = login(app.test_client(), author)
    thread_id, post_id = _held_thread(app, author_client, slug)
    moderator = login(app.test_client(), admin)
    assert "name=\"reason\"" in page_text(moderator.get("/discussions/moderation"))

    response = moderator.post(f"/discussions/p/{post_id}/remove", data={"reason": "Names a patient", "confirm": "yes"})
    assert response.status_code == 302
    assert "Genicular block" not in page_text(moderator.get("/discussions/moderation"))

    own = page_text(author_client.get(f"/discussions/t/{thread_id}"))
    assert "Awaiting review" not in own and "Awaiting a moderator" not in own
    assert "This post was removed" in own and "This thread was removed" in own
    assert 'id="reply-heading"' not in own
    assert author_client.get(f"/discussions/t/{thread_id}/reply").status_code == 403
    assert author_client.post(f"/discussions/t/{thread_id}/reply",
                              data={"body": "Why?", "submit": "x"}).status_code == 403
    assert "Awaiting review" not in page_text(author_client.get(f"/discussions/c/{slug}"))
    notices = page_text(author_client.get("/notifications/"))
    assert "A moderator removed your post in" in notices and "Names a patient" in notices
    assert login(app.test_client(), reader).get(f"/discussions/t/{thread_id}").status_code == 404
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "post.remove"))
        assert entry.target_id == post_id and entry.details["reason"] == "Names a patient"


def test_removing_a_held_reply_drops_the_review_notice(app, make_user, login, make_category, make_thread):
    author, admin = make_user(), make_user(role="admin")
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, admin.id, title="Open thread")
    author_client = login(app.test_client(), author)
    assert author_client.post(f"/discussions/t/{thread_id}/reply",
                              data={"body": STRONG, "confirm_no_phi": "y", "submit": "x"}).status_code == 302
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.author_id == author.id))
    moderator = login(app.test_client(), admin)
    assert moderator.post(f"/discussions/p/{post_id}/remove", data={"reason": "", "confirm": "yes"}).status_code == 302
    own = page_text(author_client.get(f"/discussions/t/{thread_id}"))
    assert "This post was removed" in own and "Awaiting a moderator" not in own
    assert 'id="reply-heading"' in own  # the thread itself stays open
    assert "A moderator removed your post in" in page_text(author_client.get("/notifications/"))


def test_a_too_long_reason_is_refused_and_nothing_is_removed(app, make_user, login, make_category, make_thread):
    author, admin = make_user(), make_user(role="admin")
    category_id, _ = make_category()
    _, (post_id,) = make_thread(category_id, author.id)
    moderator = login(app.test_client(), admin)
    response = moderator.post(f"/discussions/p/{post_id}/remove", data={"reason": "x" * 201, "confirm": "yes"},
                              follow_redirects=True)
    assert "at most 200 characters" in page_text(response)
    with app.app_context():
        assert db.session.get(Post, post_id).removed_at is None


def test_removing_a_flagged_post_tells_the_author_the_reason(app, make_user, login, make_category, make_thread):
    author, reporter, admin = make_user(), make_user(), make_user(role="admin")
    category_id, _ = make_category()
    thread_id, (post_id,) = make_thread(category_id, author.id, title="Spam thread")
    login(app.test_client(), reporter).post(f"/discussions/p/{post_id}/flag", data={"reason": "Advert"})
    moderator = login(app.test_client(), admin)
    queue = page_text(moderator.get("/discussions/moderation"))
    assert queue.count('name="reason"') == 1
    from network.discussions.models import Flag
    with app.app_context():
        flag_id = db.session.scalar(select(Flag.id))
    response = moderator.post(f"/discussions/moderation/flags/{flag_id}",
                              data={"action": "remove", "reason": "Advertising is not allowed", "confirm": "yes"})
    assert response.status_code == 302
    author_client = login(app.test_client(), author)
    notices = page_text(author_client.get("/notifications/"))
    assert "A moderator removed your post in" in notices and "Advertising is not allowed" in notices
    # The author is not told who flagged or why they did.
    assert "Advert<" not in notices
    # The author's own deletion tells nobody.
    _, (own_post,) = make_thread(category_id, author.id, title="Mine")
    author_client.post(f"/discussions/p/{own_post}/remove", data={"confirm": "yes"})
    assert page_text(author_client.get("/notifications/")).count("A moderator removed your post") == 1
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "post.remove"))
        assert "Advertising is not allowed" in entry.details["reason"]
    assert thread_id
