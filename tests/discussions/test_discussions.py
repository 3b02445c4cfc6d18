"""Threads, replies, editing, moderation, subscriptions, notifications, unread marks, search and limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from network.audit.models import AuditLog
from network.extensions import db
from tests.conftest import outbox
from tests.discussions.conftest import page_text


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()


# -- threads and replies ------------------------------------------------------------

def test_start_a_thread_with_markdown_preview_and_post(app, make_user, login, make_category):
    client = login(app.test_client(), make_user(name="Dr. Kwame Asante"))
    _, slug = make_category(name="Interventional techniques")
    preview = client.post(f"/discussions/c/{slug}/new",
                          data={"title": "DRG trial set-up", "body": "Use **fluoroscopy**", "preview": "Preview"})
    assert preview.status_code == 200
    assert "<strong>fluoroscopy</strong>" in page_text(preview)
    response = client.post(f"/discussions/c/{slug}/new",
                           data={"title": "DRG trial set-up", "body": "Use **fluoroscopy**", "submit": "x"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = page_text(page)
    assert "<h1" in text and "DRG trial set-up" in text and "<strong>fluoroscopy</strong>" in text
    assert "Your thread is posted." in text


def test_replies_sent_without_reading_the_page_between_leave_one_message_and_a_small_cookie(
        app, make_user, login, make_category, make_thread):
    member = make_user()
    client = login(app.test_client(), member)
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    cookie = app.config["SESSION_COOKIE_NAME"]
    sizes = []
    for n in range(30):  # a second tab, or a client that does not follow the redirect
        response = client.post(f"/discussions/t/{thread_id}/reply", data={"body": f"Reply {n}", "submit": "x"})
        assert response.status_code == 302
        sizes.append(len(client.get_cookie(cookie).value))
    assert sizes[-1] == sizes[1]
    text = page_text(client.get(response.headers["Location"], follow_redirects=True))
    assert text.count("Your reply is posted.") == 1
    assert "Reply 29" in text
    assert "Your reply is posted." not in page_text(client.get(f"/discussions/t/{thread_id}"))


def test_bad_input_gets_messages_next_to_the_fields(app, make_user, login, make_category):
    client = login(app.test_client(), make_user())
    _, slug = make_category()
    response = client.post(f"/discussions/c/{slug}/new", data={"title": "", "body": "", "submit": "x"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Give the thread a title." in text and "Write something first." in text


def test_post_length_limit_has_a_clear_message(app, make_user, login, make_category, make_thread):
    member = make_user()
    client = login(app.test_client(), member)
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    response = client.post(f"/discussions/t/{thread_id}/reply", data={"body": "x" * 20_001, "submit": "x"})
    assert response.status_code == 400
    assert "at most 20,000 characters; this one has 20,001" in page_text(response)
    assert client.post(f"/discussions/t/{thread_id}/reply",
                       data={"body": "y" * 20_000, "submit": "x"}).status_code == 302


def test_posting_rate_is_limited_per_member(make_app, make_user, login):
    app = make_app(POST_RATE_LIMIT="2 per minute")
    from network.discussions.models import CategoryVisibility
    from network.discussions.services import categories

    with app.app_context():
        category = categories.save_category(None, None, name="General", description="",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        db.session.commit()
        slug = category.slug
    first, second = make_user(), make_user()
    client = login(app.test_client(), first)
    data = {"title": "A question", "body": "About ketamine", "submit": "x"}
    assert client.post(f"/discussions/c/{slug}/new", data=data).status_code == 302
    assert client.post(f"/discussions/c/{slug}/new", data=data).status_code == 302
    refused = client.post(f"/discussions/c/{slug}/new", data=data)
    assert refused.status_code == 429
    assert "posting faster than the network allows" in page_text(refused)
    # Previews do not count.
    assert client.post(f"/discussions/c/{slug}/new", data={**data, "preview": "Preview"}).status_code == 200
    # Another member on the same address is not affected; reading is never limited.
    assert login(app.test_client(), second).post(f"/discussions/c/{slug}/new", data=data).status_code == 302
    assert client.get(f"/discussions/c/{slug}").status_code == 200


def test_quote_reply_prefills_the_quoted_post(app, make_user, login, make_category, make_thread):
    author = make_user(name="Dr. Sofia Martins")
    category_id, _ = make_category()
    thread_id, (post_id,) = make_thread(category_id, author.id, body="Line one\n\nLine two")
    client = login(app.test_client(), make_user())
    form = page_text(client.get(f"/discussions/t/{thread_id}/reply?quote={post_id}"))
    assert f"[quote=&#34;Dr. Sofia Martins, post:{post_id}&#34;]\nLine one\n\nLine two\n[/quote]" in form
    response = client.post(f"/discussions/t/{thread_id}/reply",
                           data={"body": f'[quote="Dr. Sofia Martins, post:{post_id}"]\nLine one\n[/quote]\n\nAgreed.',
                                 "submit": "x"})
    page = page_text(client.get(response.headers["Location"], follow_redirects=True))
    quote = page[page.index('<blockquote class="post-quote">'):page.index("</blockquote>")]
    assert f'<a href="/discussions/p/{post_id}" rel="nofollow ugc noopener">Dr. Sofia Martins wrote</a>' in quote
    assert "Line one" in quote and "Agreed." in page[page.index("</blockquote>"):]


def test_quoting_a_post_of_another_thread_is_not_found(app, make_user, login, make_category, make_thread):
    member = make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, member.id)
    _, (other_post,) = make_thread(category_id, member.id)
    client = login(app.test_client(), member)
    assert client.get(f"/discussions/t/{thread_id}/reply?quote={other_post}").status_code == 404


def test_posts_are_paginated_by_id_without_offset(app, make_user, login, make_category, make_thread,
                                                  count_queries):
    member = make_user()
    category_id, _ = make_category()
    thread_id, ids = make_thread(category_id, member.id, replies=44)
    client = login(app.test_client(), member)
    first = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert f'id="post-{ids[0]}"' in first and f'id="post-{ids[19]}"' in first and f'id="post-{ids[20]}"' not in first
    later = re.search(r'href="(/discussions/t/\d+\?after=\d+)">Later posts', first).group(1)
    with count_queries() as queries:
        second = page_text(client.get(later))
    posts_query = next(q for q in queries if "FROM discussion_post" in q and "ORDER BY discussion_post.id" in q)
    assert "discussion_post.id >" in posts_query  # keyset
    if "postgresql" in app.config["SQLALCHEMY_DATABASE_URI"]:
        # (SQLite's compiler always appends a harmless "OFFSET 0" to a LIMIT.)
        assert "OFFSET" not in posts_query.upper()
    assert f'id="post-{ids[20]}"' in second and f'id="post-{ids[39]}"' in second
    third = page_text(client.get(re.search(r'href="([^"]+)">Later posts', second).group(1).replace("&amp;", "&")))
    assert f'id="post-{ids[44]}"' in third and "Later posts" not in third
    earlier = re.search(r'href="([^"]+)">Earlier posts', third).group(1).replace("&amp;", "&")
    assert f'id="post-{ids[24]}"' in page_text(client.get(earlier))
    # A link to one post opens the page that ends with it: the posts it follows come with it, and a link
    # goes on to the later ones.
    response = client.get(f"/discussions/p/{ids[30]}")
    assert response.headers["Location"].endswith(f"before={ids[30] + 1}#post-{ids[30]}")
    context = page_text(client.get(response.headers["Location"]))
    assert f'id="post-{ids[11]}"' in context and f'id="post-{ids[30]}"' in context
    assert f'id="post-{ids[10]}"' not in context and f'id="post-{ids[31]}"' not in context
    assert "Later posts" in context and 'id="reply-heading"' not in context


def test_mentions_link_to_the_profile_and_notify_only_who_can_see(app, make_user, login, make_category,
                                                                  make_cohort, smtp):
    fellow = make_user(name="Dr. Kwame Asante")
    alumna = make_user(role="alumni", name="Dr. Sofia Martins")
    outsider = make_user(name="Omar Haddad")
    cohort_id = make_cohort({fellow.id: "fellow", alumna.id: "fellow"})
    _, cohort_slug = make_category("cohort", cohort_id=cohort_id)
    client = login(app.test_client(), fellow)
    response = client.post(f"/discussions/c/{cohort_slug}/new", data={
        "title": "Journal club", "body": "Thoughts @Sofia Martins and @Omar Haddad?", "submit": "x"})
    page = page_text(client.get(response.headers["Location"]))
    assert f'href="/members/{alumna.id}"' in page and "@Sofia Martins</a>" in page
    alumna_client = login(app.test_client(), alumna)
    notes = page_text(alumna_client.get("/notifications/"))
    assert "Dr. Kwame Asante mentioned you in “Journal club”" in notes
    assert "badge" in page_text(alumna_client.get("/")) and ">1<span class=\"visually-hidden\"> unread" in notes
    assert "mentioned you" not in page_text(login(app.test_client(), outsider).get("/notifications/"))
    assert [m.recipient for m in outbox(app, "discussion-mention")] == [alumna.email]


def test_replies_notify_subscribers_in_app_and_by_mail_but_not_muters(app, make_user, login, make_category,
                                                                      make_thread):
    author, replier, watcher, muter = make_user(), make_user(), make_user(), make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, author.id, title="Basivertebral ablation")
    login(app.test_client(), watcher).post(f"/discussions/t/{thread_id}/subscription", data={"level": "watch"})
    login(app.test_client(), muter).post(f"/discussions/t/{thread_id}/subscription", data={"level": "mute"})
    client = login(app.test_client(), replier)
    assert client.post(f"/discussions/t/{thread_id}/reply", data={"body": "Modic 1 only", "submit": "x"}) \
        .status_code == 302
    mails = outbox(app, "discussion-reply")
    assert sorted(m.recipient for m in mails) == sorted([author.email, watcher.email])
    assert "Modic 1 only" in mails[0].text_body and "/discussions/p/" in mails[0].text_body
    author_notes = page_text(login(app.test_client(), author).get("/notifications/"))
    assert "replied in “Basivertebral ablation”" in author_notes
    assert "replied in" not in page_text(login(app.test_client(), muter).get("/notifications/"))
    # The replier is now subscribed: the author's answer notifies them.
    login(app.test_client(), author).post(f"/discussions/t/{thread_id}/reply", data={"body": "Thanks", "submit": "x"})
    assert replier.email in [m.recipient for m in outbox(app, "discussion-reply")]


def test_daily_digest_preference(app, make_user, login, make_category, make_thread, runner):
    author, reader = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, author.id, title="Board review group")
    reader_client = login(app.test_client(), reader)
    assert reader_client.post("/notifications/settings", data={"email_mode": "daily"}).status_code == 302
    reader_client.post(f"/discussions/t/{thread_id}/subscription", data={"level": "watch"})
    login(app.test_client(), author).post(f"/discussions/t/{thread_id}/reply", data={"body": "Tuesday?", "submit": "x"})
    assert reader.email not in [m.recipient for m in outbox(app, "discussion-reply")]
    result = runner.invoke(args=["digest", "daily"])
    assert result.exit_code == 0 and "1 digest mail queued" in result.output
    digest = outbox(app, "daily-digest")
    assert [m.recipient for m in digest] == [reader.email] and "Board review group" in digest[0].text_body
    assert "0 digest mails" in runner.invoke(args=["digest", "daily"]).output


def test_opening_a_notification_marks_it_read(app, make_user, login, make_category, make_thread):
    author, replier = make_user(), make_user()
    category_id, _ = make_category()
    _thread_id, _ = make_thread(category_id, author.id, replies=1, reply_author_id=replier.id)
    client = login(app.test_client(), author)
    from network.notifications.models import Notification

    with app.app_context():
        note = db.session.scalars(select(Notification).where(Notification.user_id == author.id)).one()
        note_id, link = note.id, note.link
    response = client.post(f"/notifications/{note_id}/open")
    assert response.headers["Location"] == link
    navigation = page_text(client.get("/notifications/")).split("<main")[0]
    assert "unread notification" not in navigation and "Notifications <span" not in navigation
    assert login(app.test_client(), replier).post(f"/notifications/{note_id}/open").status_code == 404


# -- unread tracking ---------------------------------------------------------------

def test_unread_counts_and_jump_to_first_unread(app, make_user, login, make_category, make_thread):
    author, reader = make_user(), make_user()
    category_id, slug = make_category(name="General")
    thread_id, ids = make_thread(category_id, author.id, replies=2)
    client = login(app.test_client(), reader)
    assert "3 unread" in page_text(client.get(f"/discussions/c/{slug}"))
    assert "1 unread" in page_text(client.get("/discussions/c/"))
    client.get(f"/discussions/t/{thread_id}")
    assert "unread" not in page_text(client.get(f"/discussions/c/{slug}")).split("<main")[1]
    with app.test_request_context():
        from network.discussions.models import Thread
        from network.discussions.services import posting
        from network.members.models import User

        posting.reply(db.session.get(User, author.id), db.session.get(Thread, thread_id), "new one")
        posting.reply(db.session.get(User, author.id), db.session.get(Thread, thread_id), "and another")
        db.session.commit()
    assert "2 unread" in page_text(client.get(f"/discussions/c/{slug}"))
    jump = client.get(f"/discussions/t/{thread_id}/unread")
    assert jump.headers["Location"].endswith(f"after={ids[-1]}#first-unread")
    page = page_text(client.get(jump.headers["Location"]))
    assert 'id="first-unread"' in page and "new one" in page


# -- editing -------------------------------------------------------------------------

def test_edit_keeps_revisions_and_shows_the_marker(app, make_user, login, make_category, make_thread):
    author = make_user()
    category_id, _ = make_category()
    thread_id, (post_id,) = make_thread(category_id, author.id, title="Old title", body="First text")
    client = login(app.test_client(), author)
    form = page_text(client.get(f"/discussions/p/{post_id}/edit"))
    assert 'name="version" type="hidden" value="1"' in form
    response = client.post(f"/discussions/p/{post_id}/edit",
                           data={"title": "New title", "body": "Second text", "version": "1", "submit": "x"})
    assert response.status_code == 302
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert "New title" in page and "Second text" in page and ">edited<" in page
    history = page_text(client.get(f"/discussions/p/{post_id}/history"))
    assert "First text" in history and "Second text" in history
    assert login(app.test_client(), make_user()).get(f"/discussions/p/{post_id}/history").status_code == 403
    assert login(app.test_client(), make_user(role="admin")).get(f"/discussions/p/{post_id}/history").status_code == 200


def test_a_concurrent_edit_gets_a_conflict_not_an_overwrite(app, make_user, login, make_category, make_thread):
    author, admin = make_user(), make_user(role="admin")
    category_id, _ = make_category()
    _, (post_id,) = make_thread(category_id, author.id, body="Original")
    mine, theirs = login(app.test_client(), author), login(app.test_client(), admin)
    assert theirs.post(f"/discussions/p/{post_id}/edit",
                       data={"title": "T", "body": "Moderator fix", "version": "1", "submit": "x"}).status_code == 302
    conflict = mine.post(f"/discussions/p/{post_id}/edit",
                         data={"title": "T", "body": "My change", "version": "1", "submit": "x"})
    assert conflict.status_code == 409
    text = page_text(conflict)
    assert "Someone else saved this post" in text and "Moderator fix" in text and "My change" in text
    assert 'name="version" type="hidden" value="2"' in text
    from network.discussions.models import Post

    with app.app_context():
        assert db.session.get(Post, post_id).body == "Moderator fix"
    assert "post.edit" in audit_actions(app)


def test_remove_shows_removed_and_leaves_search(app, make_user, login, make_category, make_thread):
    author = make_user()
    category_id, _ = make_category()
    thread_id, (_, reply_id) = make_thread(category_id, author.id, replies=1, reply_body="zygapophyseal")
    client = login(app.test_client(), author)
    assert "zygapophyseal" in page_text(client.get("/discussions/search?q=zygapophyseal")).split("result")[1]
    assert client.post(f"/discussions/p/{reply_id}/remove", data={"confirm": "yes"}).status_code == 302
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert "This post was removed." in page and "zygapophyseal 0" not in page
    assert "Nothing matches" in page_text(client.get("/discussions/search?q=zygapophyseal"))
    assert login(app.test_client(), make_user()).post(f"/discussions/p/{reply_id}/remove").status_code == 403


# -- moderation ------------------------------------------------------------------------

def test_flag_queue_and_removal_are_audited(app, make_user, login, make_category, make_thread):
    author, reporter, admin = make_user(), make_user(), make_user(role="admin")
    category_id, _ = make_category()
    _, (post_id,) = make_thread(category_id, author.id, body="Buy cheap watches")
    reporter_client = login(app.test_client(), reporter)
    assert reporter_client.post(f"/discussions/p/{post_id}/flag", data={"reason": ""}).status_code == 400
    assert reporter_client.post(f"/discussions/p/{post_id}/flag", data={"reason": "Spam"}).status_code == 302
    again = reporter_client.post(f"/discussions/p/{post_id}/flag", data={"reason": "Spam"}, follow_redirects=True)
    assert "You already flagged this post" in page_text(again)
    admin_client = login(app.test_client(), admin)
    queue = page_text(admin_client.get("/discussions/moderation"))
    assert "Spam" in queue and "Buy cheap watches" in queue
    flag_id = int(re.search(r"/discussions/moderation/flags/(\d+)", queue).group(1))
    assert admin_client.post(f"/discussions/moderation/flags/{flag_id}",
                             data={"action": "remove", "confirm": "yes"}).status_code == 302
    assert "No open flags." in page_text(admin_client.get("/discussions/moderation"))
    assert {"post.flag", "post.remove", "flag.resolve"} <= set(audit_actions(app))


def test_faculty_moderate_their_cohort_category_and_the_faculty_lounge_only(app, make_user, login, make_category,
                                                                             make_thread, make_cohort):
    faculty, other_faculty, fellow = make_user(role="faculty"), make_user(role="faculty"), make_user()
    cohort_id = make_cohort({faculty.id: "faculty", fellow.id: "fellow", other_faculty.id: "fellow"},
                            staff=(faculty.id,))
    cohort_category, _ = make_category("cohort", cohort_id=cohort_id)
    lounge, _ = make_category("faculty")
    open_category, _ = make_category()
    in_cohort, _ = make_thread(cohort_category, fellow.id)
    in_lounge, _ = make_thread(lounge, other_faculty.id)
    in_open, _ = make_thread(open_category, fellow.id)
    client = login(app.test_client(), faculty)
    for thread_id in (in_cohort, in_lounge):
        assert client.post(f"/discussions/t/{thread_id}/pin", data={"value": "on"}).status_code == 302
    assert client.post(f"/discussions/t/{in_open}/pin", data={"value": "on"}).status_code == 403
    # Faculty who are only a cohort's fellow do not moderate it.
    assert login(app.test_client(), other_faculty).post(f"/discussions/t/{in_cohort}/lock",
                                                        data={"value": "on"}).status_code == 403
    assert login(app.test_client(), fellow).get(f"/discussions/c/{_lounge_slug(app, lounge)}").status_code == 404


def _lounge_slug(app, category_id):
    from network.discussions.models import Category

    with app.app_context():
        return db.session.get(Category, category_id).slug


def test_lock_pin_and_move(app, make_user, login, make_category, make_thread, make_cohort):
    author, admin, outsider = make_user(), make_user(role="admin"), make_user()
    cohort_id = make_cohort({author.id: "fellow"})
    open_id, open_slug = make_category(name="Open")
    cohort_category, _ = make_category("cohort", cohort_id=cohort_id)
    thread_id, _ = make_thread(open_id, author.id, title="Moving thread", replies=1, reply_author_id=outsider.id)
    admin_client = login(app.test_client(), admin)
    admin_client.post(f"/discussions/t/{thread_id}/pin", data={"value": "on"})
    assert "Pinned" in page_text(admin_client.get(f"/discussions/c/{open_slug}"))
    admin_client.post(f"/discussions/t/{thread_id}/lock", data={"value": "on"})
    author_client = login(app.test_client(), author)
    assert author_client.get(f"/discussions/t/{thread_id}/reply").status_code == 403
    assert "This thread is locked" in page_text(author_client.get(f"/discussions/t/{thread_id}"))
    assert author_client.post(f"/discussions/t/{thread_id}/reply", data={"body": "x", "submit": "x"}).status_code == 403
    # The outsider had a notification about the thread; after the move it is withdrawn and the thread hidden.
    outsider_client = login(app.test_client(), outsider)
    admin_client.post(f"/discussions/t/{thread_id}/lock", data={"value": "off"})
    author_client.post(f"/discussions/t/{thread_id}/reply", data={"body": "reply", "submit": "x"})
    assert "Moving thread" in page_text(outsider_client.get("/notifications/"))
    assert admin_client.post(f"/discussions/t/{thread_id}/move", data={"category_id": cohort_category}) \
        .status_code == 302
    assert outsider_client.get(f"/discussions/t/{thread_id}").status_code == 404
    assert "Moving thread" not in page_text(outsider_client.get("/notifications/"))
    assert {"thread.pin", "thread.lock", "thread.unlock", "thread.move"} <= set(audit_actions(app))


def test_case_discussion_posts_with_identifiers_are_held(app, make_user, login, make_category, make_thread):
    author, reader, admin = make_user(), make_user(), make_user(role="admin")
    _category_id, slug = make_category(holds_phi_matches=True, name="Case discussions")
    client = login(app.test_client(), author)
    response = client.post(f"/discussions/c/{slug}/new", data={
        "title": "Knee pain", "body": "Seen on 4/12/2025, MRN 48213377", "submit": "x"})
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "a moderator will review it" in page_text(client.get(response.headers["Location"]))
    reader_client = login(app.test_client(), reader)
    assert reader_client.get(f"/discussions/t/{thread_id}").status_code == 404
    assert "Knee pain" not in page_text(reader_client.get(f"/discussions/c/{slug}"))
    admin_client = login(app.test_client(), admin)
    queue = page_text(admin_client.get("/discussions/moderation"))
    assert 'MRN <mark title="medical record number">48213377</mark>' in queue
    post_id = int(re.search(r"/discussions/p/(\d+)/approve", queue).group(1))
    assert admin_client.post(f"/discussions/p/{post_id}/approve").status_code == 302
    assert reader_client.get(f"/discussions/t/{thread_id}").status_code == 200
    assert "post.hold" in audit_actions(app) and "post.approve" in audit_actions(app)


def test_elsewhere_identifiers_need_an_explicit_confirmation(app, make_user, login, make_category):
    client = login(app.test_client(), make_user())
    _, slug = make_category()
    data = {"title": "Question", "body": "Call me at 617-555-0134 about it", "submit": "x"}
    refused = client.post(f"/discussions/c/{slug}/new", data=data)
    assert refused.status_code == 400
    text = page_text(refused)
    assert '<mark title="phone number">617-555-0134</mark>' in text and "tick this box" in text
    assert client.post(f"/discussions/c/{slug}/new", data={**data, "confirm_no_phi": "y"}).status_code == 302


# -- categories ----------------------------------------------------------------------

def test_admins_create_edit_order_and_delete_categories(app, make_user, login):
    client = login(app.test_client(), make_user(role="admin"))
    for name in ("Board review", "Careers"):
        assert client.post("/discussions/categories/new", data={
            "name": name, "description": "d", "visibility": "members", "cohort_id": "0"}).status_code == 302
    missing = client.post("/discussions/categories/new", data={"name": "X", "visibility": "cohort", "cohort_id": "0"})
    assert missing.status_code == 400 and "Choose the cohort" in page_text(missing)
    from network.discussions.models import Category

    with app.app_context():
        board, careers = db.session.scalars(select(Category).order_by(Category.position)).all()
        board_id, careers_id = board.id, careers.id
    client.post(f"/discussions/categories/{careers_id}/move", data={"direction": "up"})
    page = page_text(client.get("/discussions/c/"))
    assert page.index("Careers") < page.index("Board review")
    client.post(f"/discussions/categories/{board_id}/edit", data={
        "name": "Board prep", "description": "", "visibility": "faculty", "cohort_id": "0"})
    assert "Board prep" not in page_text(login(app.test_client(), make_user()).get("/discussions/c/"))
    assert client.post(f"/discussions/categories/{board_id}/delete", data={"confirm": "yes"}).status_code == 302
    assert {"category.create", "category.update", "category.reorder", "category.delete"} <= set(audit_actions(app))


def test_every_cohort_gets_a_private_category(app, make_user, login, make_cohort):
    fellow, outsider = make_user(), make_user()
    make_cohort({fellow.id: "fellow"})
    page = page_text(login(app.test_client(), fellow).get("/discussions/c/"))
    assert "Cohort only" in page and "Class 1" in page
    assert "Class 1" not in page_text(login(app.test_client(), outsider).get("/discussions/c/"))


# -- search --------------------------------------------------------------------------

def test_search_highlights_filters_and_respects_visibility(app, make_user, login, make_category, make_thread,
                                                           make_cohort):
    member, insider = make_user(name="Ana Author"), make_user(name="Ines Insider")
    cohort_id = make_cohort({insider.id: "fellow"})
    open_id, _ = make_category(name="Open")
    cohort_category, _ = make_category("cohort", cohort_id=cohort_id)
    make_thread(open_id, member.id, title="Genicular nerve ablation", body="Cooled radiofrequency <b>works</b>")
    make_thread(cohort_category, insider.id, title="Secret cohort plans", body="Cooled radiofrequency schedule")
    client = login(app.test_client(), member)
    page = page_text(client.get("/discussions/search?q=radiofrequency"))
    assert "Genicular nerve ablation" in page and "Secret cohort plans" not in page
    assert "<mark>radiofrequency</mark>" in page.lower() or "<mark>Radiofrequency</mark>" in page
    assert "<b>works" not in page  # the snippet is escaped text, never markup
    assert "Genicular nerve ablation" in page_text(client.get("/discussions/search?q=genicular"))
    insider_client = login(app.test_client(), insider)
    both = page_text(insider_client.get("/discussions/search?q=cooled"))
    assert "Secret cohort plans" in both and "Genicular nerve ablation" in both
    only = page_text(insider_client.get(f"/discussions/search?q=cooled&category={cohort_category}"))
    assert "Secret cohort plans" in only and "Genicular nerve ablation" not in only
    by_author = page_text(insider_client.get("/discussions/search?q=cooled&author=ana"))
    assert "Genicular nerve ablation" in by_author and "Secret cohort plans" not in by_author
    assert "Nothing matches" in page_text(insider_client.get("/discussions/search?q=cooled&since=2999-01-01"))
    assert "Nothing matches" in page_text(client.get('/discussions/search?q=" OR NEAR( *'))
    assert client.get("/discussions/search?q=cooled&since=not-a-date").status_code == 400


# -- the demo --------------------------------------------------------------------------

def test_demo_seeds_a_few_hundred_posts_once(app, runner):
    from network.discussions.models import Category, Post, Thread

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Category, Thread, Post)]
    assert counts[2] >= 300 and counts[1] >= 30
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert [db.session.scalar(select(func.count()).select_from(m)) for m in (Category, Thread, Post)] == counts
    client = app.test_client()
    client.post("/auth/login", data={"email": "fellow@example.org", "password": "demo-password-2026"})
    assert "How do you set up a dorsal root ganglion" in page_text(client.get("/discussions/search?q=ganglion"))


@pytest.mark.parametrize("level", ["watch", "mute", "default"])
def test_subscription_levels(app, make_user, login, make_category, make_thread, level):
    author, member = make_user(), make_user()
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, author.id)
    client = login(app.test_client(), member)
    assert client.post(f"/discussions/t/{thread_id}/subscription", data={"level": level}).status_code == 302
    from network.discussions.queries import reader_state

    with app.app_context():
        assert reader_state(member.id, thread_id)[1] == (None if level == "default" else level)


def test_search_newest_first(app, make_user, login, make_category, make_thread):
    member = make_user()
    category_id, _ = make_category()
    make_thread(category_id, member.id, title="Older thread", body="epidural epidural epidural")
    make_thread(category_id, member.id, title="Newer thread", body="one epidural mention")
    client = login(app.test_client(), member)
    newest = page_text(client.get("/discussions/search?q=epidural&sort=newest"))
    assert newest.index("Newer thread") < newest.index("Older thread")
    assert client.get("/discussions/search?q=epidural&sort=sideways").status_code == 400


@pytest.mark.parametrize("holds", [True, False])
def test_edits_need_confirmation_and_never_publish_strong_identifiers(app, make_user, login, make_category,
                                                                      make_thread, holds):
    author = make_user()
    category_id, _ = make_category(holds_phi_matches=holds)
    thread_id, (post_id,) = make_thread(category_id, author.id, title="Knee", body="De-identified case")
    client = login(app.test_client(), author)
    data = {"title": "Knee", "body": "Now with a call to 617-555-0134", "version": "1", "submit": "x"}
    refused = client.post(f"/discussions/p/{post_id}/edit", data=data)
    assert refused.status_code == 400 and "tick this box" in page_text(refused)
    assert client.post(f"/discussions/p/{post_id}/edit", data={**data, "confirm_no_phi": "y"}).status_code == 302
    strong = {**data, "body": "Now with MRN 48213377", "version": "2", "confirm_no_phi": "y"}
    refused = client.post(f"/discussions/p/{post_id}/edit", data=strong)
    assert refused.status_code == 400 and "cannot be published" in page_text(refused)
    assert '<mark title="medical record number">48213377</mark>' in page_text(refused)
    assert "48213377" not in page_text(client.get(f"/discussions/t/{thread_id}"))


def test_narrowing_a_category_withdraws_notifications_its_members_can_no_longer_see(
        app, make_user, login, make_category, make_thread):
    author, admin, fellow = make_user(), make_user(role="admin"), make_user()
    category_id, _ = make_category(name="Open lounge")
    thread_id, _ = make_thread(category_id, author.id, title="Soon faculty only", replies=1,
                               reply_author_id=fellow.id)
    login(app.test_client(), author).post(f"/discussions/t/{thread_id}/reply", data={"body": "reply", "submit": "x"})
    fellow_client = login(app.test_client(), fellow)
    assert "Soon faculty only" in page_text(fellow_client.get("/notifications/"))
    response = login(app.test_client(), admin).post(f"/discussions/categories/{category_id}/edit", data={
        "name": "Open lounge", "description": "d", "visibility": "faculty", "cohort_id": "0"})
    assert response.status_code == 302
    assert fellow_client.get(f"/discussions/t/{thread_id}").status_code == 404
    assert "Soon faculty only" not in page_text(fellow_client.get("/notifications/"))
