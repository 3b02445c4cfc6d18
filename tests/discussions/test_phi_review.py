"""Patient identifiers in discussions: strong ones are held for a moderator in every category, weaker
confirmed ones enter the moderation queue, and a redaction removes them wherever the text is kept."""

from __future__ import annotations

import json

from sqlalchemy import select

from network.audit.models import AuditLog
from network.discussions.models import Post, PostRevision, Thread
from network.extensions import db
from network.mail.models import EmailOutbox
from network.notifications.models import Notification
from tests.conftest import outbox
from tests.discussions.conftest import page_text

STRONG = "Pt John Smith MRN 1234567 had good relief after the block."


def _thread_id(response) -> int:
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_strong_identifiers_are_held_in_an_ordinary_category_even_when_confirmed(
        app, make_user, login, make_category, make_thread):
    author, reader, admin = make_user(), make_user(), make_user(role="admin")
    category_id, slug = make_category(name="Ordinary lounge")
    client = login(app.test_client(), author)
    response = client.post(f"/discussions/c/{slug}/new", data={
        "title": "Genicular block", "body": STRONG, "confirm_no_phi": "y", "submit": "x"})
    assert response.status_code == 302
    thread_id = _thread_id(response)
    own = page_text(client.get(response.headers["Location"]))
    assert "a moderator will review it" in own and "Awaiting a moderator" in own
    reader_client = login(app.test_client(), reader)
    assert reader_client.get(f"/discussions/t/{thread_id}").status_code == 404
    assert "Genicular block" not in page_text(reader_client.get(f"/discussions/c/{slug}"))
    queue = page_text(login(app.test_client(), admin).get("/discussions/moderation"))
    assert '<mark title="patient name">John Smith</mark>' in queue
    assert 'MRN <mark title="medical record number">1234567</mark>' in queue

    # A reply with them, "I checked" ticked, is held too: the watcher hears nothing and sees nothing.
    open_thread, _ = make_thread(category_id, reader.id, title="Open thread")
    response = client.post(f"/discussions/t/{open_thread}/reply",
                           data={"body": STRONG, "confirm_no_phi": "y", "submit": "x"})
    assert response.status_code == 302
    assert "1234567" not in page_text(reader_client.get(f"/discussions/t/{open_thread}"))
    assert "1234567" not in page_text(reader_client.get("/notifications/"))
    with app.app_context():
        assert db.session.scalars(select(Post.held).where(Post.author_id == author.id)).all() == [True, True]


def test_the_preview_shows_the_hold_before_anything_is_saved(app, make_user, login, make_category):
    client = login(app.test_client(), make_user())
    _, slug = make_category()
    response = client.post(f"/discussions/c/{slug}/new", data={"title": "Case", "body": STRONG, "preview": "x"})
    text = page_text(response)
    assert response.status_code == 200 and "Such a post is held" in text
    assert '<mark title="medical record number">1234567</mark>' in text
    with app.app_context():
        assert db.session.scalar(select(Thread.id)) is None


def test_a_confirmed_weaker_match_is_published_and_enters_the_queue(app, make_user, login, make_category,
                                                                     make_thread):
    author, reader, admin = make_user(name="Dr. Ana Ruiz"), make_user(), make_user(role="admin")
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, reader.id, title="Referral")
    client = login(app.test_client(), author)
    data = {"body": "Her clinic asked us to call 617-555-0134 back", "submit": "x"}
    assert client.post(f"/discussions/t/{thread_id}/reply", data=data).status_code == 400
    assert client.post(f"/discussions/t/{thread_id}/reply", data={**data, "confirm_no_phi": "y"}).status_code == 302
    assert "call" in page_text(login(app.test_client(), reader).get(f"/discussions/t/{thread_id}"))
    queue = page_text(login(app.test_client(), admin).get("/discussions/moderation"))
    assert "Dr. Ana Ruiz confirmed possible patient identifiers" in queue
    assert '<mark title="phone number">617-555-0134</mark>' in queue
    # The watcher's notification names the thread; the mail quoting the post carries no identifier.
    assert all("617-555-0134" not in m.text_body + m.html_body + m.subject for m in outbox(app))


def test_a_moderator_redacts_a_held_post_everywhere(app, make_user, login, make_category, make_thread):
    author, watcher, admin = make_user(), make_user(), make_user(role="admin")
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, watcher.id, title="Knee block outcomes",
                               body="Outcomes after genicular blocks")
    client = login(app.test_client(), author)
    assert client.post(f"/discussions/t/{thread_id}/reply", data={"body": STRONG, "submit": "x"}).status_code == 302
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.author_id == author.id))
        # Rows written before previews were scrubbed: a notification and a queued mail quoting the text.
        db.session.add(Notification(user_id=watcher.id, kind="discussion-reply", title=f"Old: {STRONG}",
                                    link="/x", target_type="thread", target_id=thread_id))
        db.session.add(EmailOutbox(kind="discussion-reply", recipient="w@example.org", subject="New reply",
                                   text_body=f"Quoted: {STRONG}", html_body=f"<p>{STRONG}</p>"))
        db.session.commit()
    admin_client = login(app.test_client(), admin)
    assert admin_client.post(f"/discussions/p/{post_id}/redact", data={"back": "queue"}).status_code == 302
    watcher_client = login(app.test_client(), watcher)
    thread = page_text(watcher_client.get(f"/discussions/t/{thread_id}"))
    assert "Pt [removed] MRN [removed] had good relief" in thread and "1234567" not in thread
    assert "1234567" not in page_text(watcher_client.get("/notifications/"))
    hits = page_text(watcher_client.get("/discussions/search?q=relief"))
    assert "relief" in hits and "1234567" not in hits and "John Smith" not in hits
    with app.app_context():
        assert all("1234567" not in m.text_body + m.html_body + m.subject
                   for m in db.session.scalars(select(EmailOutbox)))
        assert all("1234567" not in n.title for n in db.session.scalars(select(Notification)))
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "post.redact"))
        assert entry.details["kinds"] == ["mrn", "name"]
        assert "1234567" not in json.dumps(entry.details) and "Smith" not in json.dumps(entry.details)
    assert "removed patient identifiers" in page_text(client.get("/notifications/"))


def test_an_author_redacts_identifiers_left_in_the_history(app, make_user, login, make_category, make_thread):
    author, other = make_user(), make_user()
    category_id, _ = make_category()
    _, (post_id,) = make_thread(category_id, author.id, title="Follow-up",
                                body="De-identified case, pain 7/10")
    client = login(app.test_client(), author)
    assert client.post(f"/discussions/p/{post_id}/edit", data={
        "title": "Follow-up", "body": "Call her at 617-555-0134", "version": "1", "confirm_no_phi": "y",
        "submit": "x"}).status_code == 302
    assert client.post(f"/discussions/p/{post_id}/edit", data={
        "title": "Follow-up", "body": "Call her clinic", "version": "2", "submit": "x"}).status_code == 302
    history = page_text(client.get(f"/discussions/p/{post_id}/history"))
    assert '<mark title="phone number">617-555-0134</mark>' in history and "Redact the highlighted" in history
    # Nobody else may redact it; the author may.
    assert login(app.test_client(), other).post(f"/discussions/p/{post_id}/redact").status_code == 403
    assert client.post(f"/discussions/p/{post_id}/redact").status_code == 302
    history = page_text(client.get(f"/discussions/p/{post_id}/history"))
    assert "617-555-0134" not in history and "Call her at [removed]" in history
    with app.app_context():
        assert all("617-555-0134" not in body for body in db.session.scalars(select(PostRevision.body)))


def test_excerpts_snippets_and_digests_never_carry_a_flagged_span(app, make_user, login, make_category):
    from network.notifications.services import send_daily_digests

    author, reader = make_user(), make_user()
    _, slug = make_category()
    client = login(app.test_client(), author)
    response = client.post(f"/discussions/c/{slug}/new", data={
        "title": "Knee referral 617-555-0134", "body": "The knee clinic at 617-555-0134 takes referrals",
        "confirm_no_phi": "y", "submit": "x"})
    assert response.status_code == 302
    reader_client = login(app.test_client(), reader)
    home = page_text(reader_client.get("/"))
    assert "Knee referral [removed]" in home and "617-555-0134" not in home
    hits = page_text(reader_client.get("/discussions/search?q=knee"))
    assert "Knee referral" in hits and "617-555-0134" not in hits and "[removed]" in hits
    with app.test_request_context():
        db.session.add(Notification(user_id=reader.id, kind="discussion-reply", title="Old 617-555-0134 title",
                                    link="/x", for_digest=True))
        db.session.commit()
        assert send_daily_digests() == 1
        db.session.commit()
    digest = outbox(app, "daily-digest")[0]
    assert "617-555-0134" not in digest.text_body + digest.html_body and "[removed]" in digest.text_body
