"""Marking posts helpful and accepting a reply as a thread's answer: who may, what the thread and category
pages show (the button's state and name, the count, who reacted, the "Answer" box, the "Answered" badge),
the audit entry and the notice to the answer's author, removal, account deletion and the data download."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from network.extensions import db
from tests.discussions.conftest import page_text


def helpful_box(page: str, post_id: int) -> str:
    """The "helpful" part of a post's footer on the thread page."""
    article = page[page.index(f'id="post-{post_id}"'):]
    article = article[article.index("data-helpful"):]
    return article[:article.index("</details>")]


def reply_as(app, member_id: int, thread_id: int, body: str) -> int:
    """A reply posted through the posting service, as another member would (no browser): its id."""
    from network.discussions.models import Thread
    from network.discussions.services import posting
    from network.members.models import User

    with app.test_request_context():
        post = posting.reply(db.session.get(User, member_id), db.session.get(Thread, thread_id), body)
        db.session.commit()
        return post.id


def people(make_user):
    return make_user(name="Dr. Asker"), make_user(role="alumni", name="Dr. Answerer"), make_user(name="Dr. Reader")


def test_a_member_marks_a_reply_helpful_and_takes_it_back(app, make_user, login, make_category, make_thread):
    asker, answerer, reader = people(make_user)
    category_id, _ = make_category()
    thread_id, (_, reply_id) = make_thread(category_id, asker.id, replies=1, reply_author_id=answerer.id)
    client = login(app.test_client(), reader)
    box = helpful_box(page_text(client.get(f"/discussions/t/{thread_id}")), reply_id)
    assert 'aria-pressed="false"' in box and "Mark </span>" in box and "(<span data-helpful-count>0</span>)" in box
    assert "<details class=\"helpful-who\" hidden>" in box

    response = client.post(f"/discussions/p/{reply_id}/helpful")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/discussions/p/{reply_id}")
    page = page_text(client.get(response.headers["Location"], follow_redirects=True))
    box = helpful_box(page, reply_id)
    assert 'aria-pressed="true"' in box and "(<span data-helpful-count>1</span>)" in box
    assert "<li>Dr. Reader</li>" in box and "<details class=\"helpful-who\">" in box

    client.post(f"/discussions/p/{reply_id}/helpful")  # the second press takes it back
    box = helpful_box(page_text(client.get(f"/discussions/t/{thread_id}")), reply_id)
    assert 'aria-pressed="false"' in box and "(<span data-helpful-count>0</span>)" in box and "<li>" not in box


def test_counts_and_who_reacted_in_order_and_the_script_gets_json(app, make_user, login, make_category,
                                                                    make_thread):
    asker, answerer, reader = people(make_user)
    category_id, _ = make_category()
    thread_id, (_, reply_id) = make_thread(category_id, asker.id, replies=1, reply_author_id=answerer.id)
    login(app.test_client(), asker).post(f"/discussions/p/{reply_id}/helpful")
    client = login(app.test_client(), reader)
    response = client.post(f"/discussions/p/{reply_id}/helpful", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json() == {"given": True, "count": 2, "names": ["Dr. Asker", "Dr. Reader"]}
    box = helpful_box(page_text(client.get(f"/discussions/t/{thread_id}")), reply_id)
    assert box.index("<li>Dr. Asker</li>") < box.index("<li>Dr. Reader</li>")
    # The author sees the count, with no button: nobody marks their own post helpful.
    own = helpful_box(page_text(login(app.test_client(), answerer).get(f"/discussions/t/{thread_id}")), reply_id)
    assert "<button" not in own and "<span data-helpful-count>2</span> found this helpful" in own
    response = client.post(f"/discussions/p/{reply_id}/helpful", headers={"Accept": "application/json"})
    assert response.get_json() == {"given": False, "count": 1, "names": ["Dr. Asker"]}


def test_who_may_react(app, make_user, login, make_category, make_thread, make_cohort):
    from network.discussions.models import Post

    asker, answerer, reader = people(make_user)
    outsider, admin = make_user(name="Dr. Outsider"), make_user(role="admin")
    category_id, _ = make_category()
    thread_id, (first, reply_id, removed_id) = make_thread(category_id, asker.id, replies=2,
                                                            reply_author_id=answerer.id)
    assert login(app.test_client(), answerer).post(f"/discussions/p/{reply_id}/helpful").status_code == 403
    login(app.test_client(), answerer).post(f"/discussions/p/{removed_id}/remove", data={"confirm": "yes"})
    with app.app_context():
        assert db.session.get(Post, removed_id).removed_at is not None
    assert login(app.test_client(), reader).post(f"/discussions/p/{removed_id}/helpful").status_code == 403
    # A cohort's thread: a member outside the cohort is told nothing (404).
    cohort_id = make_cohort({asker.id: "fellow", answerer.id: "fellow"})
    cohort_category, _ = make_category("cohort", cohort_id=cohort_id)
    _, (_, private_reply) = make_thread(cohort_category, asker.id, replies=1, reply_author_id=answerer.id)
    assert login(app.test_client(), outsider).post(f"/discussions/p/{private_reply}/helpful").status_code == 404
    assert login(app.test_client(), asker).post(f"/discussions/p/{private_reply}/helpful").status_code == 302
    # A post held for review: its moderator sees it and may not react to it.
    phi_category, _ = make_category(holds_phi_matches=True)
    held_thread, (held_first,) = make_thread(phi_category, asker.id, body="Patient MRN 12345678 had pain.")
    with app.app_context():
        assert db.session.get(Post, held_first).held
    assert login(app.test_client(), admin).post(f"/discussions/p/{held_first}/helpful").status_code == 403
    # A locked thread still takes marks: they help its later readers, and are no reply.
    login(app.test_client(), admin).post(f"/discussions/t/{thread_id}/lock", data={"value": "on"})
    assert login(app.test_client(), reader).post(f"/discussions/p/{first}/helpful").status_code == 302


def test_the_thread_author_accepts_an_answer(app, make_user, login, make_category, make_thread):
    from network.audit.models import AuditLog
    from network.discussions.models import Thread
    from network.notifications.models import Notification

    asker, answerer, reader = people(make_user)
    category_id, slug = make_category()
    thread_id, (first, reply_id, other_reply) = make_thread(category_id, asker.id, replies=2,
                                                             reply_author_id=answerer.id)
    client = login(app.test_client(), asker)
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert "Accept as answer" in page and "Answered" not in page
    response = client.post(f"/discussions/p/{reply_id}/answer", data={"value": "on"})
    assert response.status_code == 302
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    # The "Answer" box sits right under the question, naming the answer's author and linking to it.
    box = page[page.index('class="answer-box'):]
    assert page.index(f'id="post-{first}"') < page.index('class="answer-box') < page.index(f'id="post-{reply_id}"')
    assert "Dr. Answerer" in box[:box.index("</aside>")] and f'href="/discussions/p/{reply_id}"' in box
    assert "Accepted answer</span>" in page[page.index(f'id="post-{reply_id}"'):]
    assert "Unmark answer" in page
    category = page_text(client.get(f"/discussions/c/{slug}"))
    assert '<span class="badge text-bg-success me-1">Answered</span>' in category
    with app.app_context():
        assert db.session.get(Thread, thread_id).answer_post_id == reply_id
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "thread.answer")).one()
        assert (entry.actor_id, entry.target_id, entry.details["post_id"]) == (asker.id, thread_id, reply_id)
        notice = db.session.scalars(select(Notification).where(Notification.kind == "discussion-answer")).one()
        assert notice.user_id == answerer.id and "accepted as the answer" in notice.title
    # Another reply takes its place; then none.
    client.post(f"/discussions/p/{other_reply}/answer", data={"value": "on"})
    client.post(f"/discussions/p/{other_reply}/answer", data={"value": "off"})
    with app.app_context():
        assert db.session.get(Thread, thread_id).answer_post_id is None
        assert db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("thread.%answer"))
                                  .order_by(AuditLog.id)).all() == ["thread.answer", "thread.answer",
                                                                     "thread.unanswer"]
    assert "Answered" not in page_text(client.get(f"/discussions/c/{slug}"))


def test_who_may_accept_an_answer_and_which_posts_can_be_one(app, make_user, login, make_category, make_thread,
                                                            make_cohort):
    from network.discussions.models import Thread

    asker, answerer, reader = people(make_user)
    director = make_user(role="faculty", name="Dr. Director")
    cohort_id = make_cohort({asker.id: "fellow", answerer.id: "fellow", reader.id: "fellow",
                             director.id: "faculty"}, staff=(director.id,))
    category_id, _ = make_category("cohort", cohort_id=cohort_id)
    thread_id, (first, reply_id) = make_thread(category_id, asker.id, replies=1, reply_author_id=answerer.id)
    assert login(app.test_client(), reader).post(f"/discussions/p/{reply_id}/answer",
                                                 data={"value": "on"}).status_code == 403
    assert login(app.test_client(), answerer).post(f"/discussions/p/{reply_id}/answer",
                                                   data={"value": "on"}).status_code == 403
    assert "Accept as answer" not in page_text(login(app.test_client(), reader).get(f"/discussions/t/{thread_id}"))
    outsider = make_user()
    assert login(app.test_client(), outsider).post(f"/discussions/p/{reply_id}/answer",
                                                   data={"value": "on"}).status_code == 404
    author = login(app.test_client(), asker)
    # The question is no answer to itself; a value that is neither on nor off is refused.
    assert author.post(f"/discussions/p/{first}/answer", data={"value": "on"}).status_code == 400
    assert author.post(f"/discussions/p/{reply_id}/answer", data={"value": "yes"}).status_code == 400
    # The cohort's program director moderates its category, so may choose the answer.
    assert login(app.test_client(), director).post(f"/discussions/p/{reply_id}/answer",
                                                   data={"value": "on"}).status_code == 302
    with app.app_context():
        assert db.session.get(Thread, thread_id).answer_post_id == reply_id
    # Removing the answer unmarks it: no box points at a removed post.
    login(app.test_client(), answerer).post(f"/discussions/p/{reply_id}/remove", data={"confirm": "yes"})
    with app.app_context():
        assert db.session.get(Thread, thread_id).answer_post_id is None
    page = page_text(author.get(f"/discussions/t/{thread_id}"))
    assert "answer-box" not in page and "Accepted answer" not in page
    assert author.post(f"/discussions/p/{reply_id}/answer", data={"value": "on"}).status_code == 400


def test_reactions_are_in_the_data_download_and_go_with_the_account(app, make_user, login, make_category,
                                                                   make_thread):
    import io
    import zipfile

    from network.discussions.models import Reaction

    asker, answerer, reader = people(make_user)
    category_id, _ = make_category()
    thread_id, (_, reply_id) = make_thread(category_id, asker.id, title="Genicular blocks", replies=1,
                                           reply_author_id=answerer.id)
    client = login(app.test_client(), reader)
    client.post(f"/discussions/p/{reply_id}/helpful")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/members/me/export").data))
    [mark] = json.loads(archive.read("data.json"))["helpful_marks"]
    assert mark["thread"] == "Genicular blocks" and mark["link"].endswith(f"/discussions/p/{reply_id}")
    with app.test_request_context():
        from network.members.models import User
        from network.profiles.services import delete_account

        delete_account(db.session.get(User, reader.id))
        db.session.commit()
        assert db.session.scalars(select(Reaction)).all() == []


def test_the_new_since_you_last_read_divider_and_the_unread_jump(app, make_user, login, make_category,
                                                                 make_thread):
    asker, answerer, reader = people(make_user)
    category_id, _ = make_category()
    thread_id, (first, reply_id) = make_thread(category_id, asker.id, replies=1, reply_author_id=answerer.id)
    client = login(app.test_client(), reader)
    assert "New since you last read" not in page_text(client.get(f"/discussions/t/{thread_id}"))  # first visit
    new = reply_as(app, answerer.id, thread_id, "Something new")
    response = client.get(f"/discussions/t/{thread_id}/unread")
    assert response.headers["Location"].endswith("#first-unread")
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    divider = page.index('<h2 class="unread-divider" id="first-unread">New since you last read</h2>')
    assert page.index(f'id="post-{reply_id}"') < divider < page.index(f'id="post-{new}"')
    assert page.count("unread-divider") == 1


def test_after_replying_the_member_sees_their_reply_among_the_posts_before_it(app, make_user, login,
                                                                              make_category, make_thread):
    asker, answerer, reader = people(make_user)
    category_id, _ = make_category()
    thread_id, ids = make_thread(category_id, asker.id, replies=24, reply_author_id=answerer.id)
    client = login(app.test_client(), reader)
    response = client.post(f"/discussions/t/{thread_id}/reply", data={"body": "My reply at the end.", "submit": "x"})
    page = page_text(client.get(response.headers["Location"], follow_redirects=True))
    assert "My reply at the end." in page
    assert f'id="post-{ids[-1]}"' in page and f'id="post-{ids[-5]}"' in page  # the posts it answers
    assert "Later posts" not in page and 'id="reply-heading"' in page  # the latest page, with the reply form
    assert "Your reply is posted." in page


def test_the_summary_line_shows_participants_replies_and_last_activity(app, make_user, login, make_category,
                                                                        make_thread):
    asker = make_user(name="Dr. Asker")
    repliers = [make_user(name=f"Dr. Replier {n}") for n in range(6)]
    category_id, _ = make_category()
    thread_id, _ = make_thread(category_id, asker.id, replies=2, reply_author_id=repliers[0].id)
    for replier in repliers[1:]:
        reply_as(app, replier.id, thread_id, "Me too.")
    page = page_text(login(app.test_client(), asker).get(f"/discussions/t/{thread_id}"))
    summary = page[page.index('class="thread-summary'):]
    summary = summary[:summary.index("</div>")]
    assert summary.count('class="avatar avatar-24') == 5 and "and 2 more" in summary
    assert 'aria-label="Dr. Replier 0"' in summary  # the most posts first
    assert "7 replies" in summary and "last activity <time" in summary


def test_avatars_show_the_photo_or_initials_on_a_disc(app, make_user, login, make_category, make_thread):
    from network.members.models import User
    from network.profiles.models import Profile

    asker, answerer, reader = people(make_user)
    with app.app_context():
        profile = db.session.scalar(select(Profile).where(Profile.user_id == answerer.id))
        if profile is None:
            profile = Profile(user_id=answerer.id)
            db.session.add(profile)
        profile.photo_version = 3
        db.session.commit()
        assert db.session.get(User, answerer.id).profile.photo_version == 3
    category_id, slug = make_category()
    thread_id, (first, reply_id) = make_thread(category_id, asker.id, replies=1, reply_author_id=answerer.id)
    client = login(app.test_client(), reader)
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    reply = page[page.index(f'id="post-{reply_id}"'):]
    assert re.search(rf'<img class="avatar avatar-32" src="/members/{answerer.id}/photo\?v=3"[^>]* alt="" '
                     r'aria-hidden="true">', reply)
    opening = page[page.index(f'id="post-{first}"'):page.index(f'id="post-{reply_id}"')]
    assert f'<span class="avatar avatar-32 avatar-initials avatar-c{asker.id % 8}" aria-hidden="true">A</span>' \
        in opening
    category = page_text(client.get(f"/discussions/c/{slug}"))
    assert f'avatar avatar-40 avatar-initials avatar-c{asker.id % 8}' in category


def test_the_thread_and_category_pages_with_every_part_are_valid_html(app, make_user, login, make_category,
                                                                      make_thread):
    from tests.html_checks import check_page

    asker, answerer, reader = people(make_user)
    category_id, slug = make_category()
    thread_id, (first, reply_id) = make_thread(category_id, asker.id, replies=1, reply_author_id=answerer.id)
    client = login(app.test_client(), asker)
    client.get(f"/discussions/t/{thread_id}")
    client.post(f"/discussions/p/{reply_id}/helpful")
    client.post(f"/discussions/p/{reply_id}/answer", data={"value": "on"})
    reply_as(app, reader.id, thread_id,
             f'[quote="Dr. Answerer, post:{reply_id}"]\nQuoted\n[/quote]\n\n| a | b |\n|---|---|\n| 1 | 2 |')
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert all(part in page for part in ("answer-box", "unread-divider", "post-quote", "thread-summary",
                                         'aria-pressed="true"'))
    assert check_page(page) == []
    assert check_page(page_text(client.get(f"/discussions/c/{slug}"))) == []
