"""The demo data is consistent with the model's own state (issue #18, item 11): every demo notification
links to the thing it is about (not an index page) and that page opens for its recipient; what a
notification announces is true (no "published" round that is still open, an accepted request has its
mentorship, a seat is held); messages are in conversation order; and notifications list by date. Each
invariant is checked over all the demo's rows, so a demo area added later is held to them too."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from network.extensions import db
from network.matching.models import MatchingRound, RoundStatus
from network.members.models import User
from network.mentorship.models import Mentorship, MentorshipRequest, RequestStatus
from network.messages.models import Conversation, Message
from network.notifications.models import Notification
from network.opportunities.models import Rsvp, RsvpStatus
from tests.conftest import sign_in_session
from tests.test_words import visible_text

#: Pages that list many things: a notification about one thing must not land on one of these.
INDEX_PAGES = {"/", "/discussions/", "/opportunities/", "/mentorship/", "/messages/", "/notifications/",
               "/members/", "/matching/", "/programs/", "/admin/"}


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


def _notifications(app) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.user_id, Notification.id)).all()
        db.session.expunge_all()
        return rows


def test_every_demo_notification_links_to_its_own_thing_and_opens_for_its_recipient(demo):
    notifications = _notifications(demo)
    demo_members = {"fellow@example.org", "faculty@example.org", "alumni@example.org"}
    with demo.app_context():
        emails = dict(db.session.execute(select(User.id, User.email)).all())
    assert demo_members <= {emails[n.user_id] for n in notifications}, "each demo role has notifications"
    assert len({n.kind for n in notifications}) >= 8, "a notification of most kinds"
    clients = {}
    for notification in notifications:
        path = urlsplit(notification.link).path
        assert path not in INDEX_PAGES, (notification.kind, notification.title, notification.link)
        assert notification.target_type and notification.target_id, (notification.kind, notification.link)
        if notification.user_id not in clients:
            clients[notification.user_id] = demo.test_client()
            sign_in_session(clients[notification.user_id], demo, SimpleNamespace(id=notification.user_id))
        # A post's permanent link redirects to its page of the thread: follow it to where the reader lands.
        response = clients[notification.user_id].get(notification.link, follow_redirects=True)
        assert response.status_code == 200, (notification.kind, notification.link, response.status_code)
        assert response.request.path not in INDEX_PAGES | {"/auth/login"}, (notification.link, response.request.path)
        if notification.target_type == "mentorship_request":  # the requests page shows this one
            with demo.app_context():
                request = db.session.get(MentorshipRequest, notification.target_id)
                assert str(escape(request.mentee.name)) in response.get_data(as_text=True)


def test_what_demo_notifications_announce_is_true(demo):
    notifications = _notifications(demo)
    with demo.app_context():
        for n in notifications:
            if n.target_type == "matching_round":
                matching_round = db.session.get(MatchingRound, n.target_id)
                published = matching_round.status == RoundStatus.PUBLISHED
                assert (n.kind == "matching-result") == published, (n.kind, n.title, matching_round.status)
                assert published or "published" not in n.title.lower(), n.title
                assert str(matching_round.deadline.strftime("%d %b %Y")) in n.title or published
            if n.kind == "mentorship-accepted":
                request = db.session.scalars(select(MentorshipRequest).where(
                    MentorshipRequest.mentorship_id == n.target_id, MentorshipRequest.mentee_id == n.user_id,
                    MentorshipRequest.status == RequestStatus.ACCEPTED)).first()
                assert request is not None, n.title
                assert request.mentor.name in n.title
            if n.kind in ("mentorship-request", "reminder-request"):
                request = db.session.get(MentorshipRequest, n.target_id)
                assert request.status == RequestStatus.PENDING and request.mentor_id == n.user_id
                assert request.mentee.name in n.title
            if n.kind == "reminder-meeting":
                mentorship = db.session.get(Mentorship, n.target_id)
                assert n.user_id in (mentorship.mentee_id, mentorship.mentor_id)
                weeks = int(re.search(r"in (\d+) weeks", n.title).group(1))
                assert weeks == (n.created_at.date() - mentorship.last_met_on).days // 7 or \
                    weeks == (n.created_at.date() - mentorship.last_met_on).days // 7 + 1
            if n.kind == "opportunity-waitlist":
                assert db.session.scalar(select(Rsvp.id).where(Rsvp.user_id == n.user_id,
                                                               Rsvp.opportunity_id == n.target_id,
                                                               Rsvp.status == RsvpStatus.GOING))
            if n.target_type == "conversation":
                conversation = db.session.get(Conversation, n.target_id)
                assert n.user_id in (conversation.low_member_id, conversation.high_member_id)
        # Nothing announces something that has not happened yet.
        latest = max(n.created_at for n in notifications)
        assert latest <= db.session.scalar(select(db.func.max(Notification.created_at)))


def test_demo_messages_are_in_conversation_order(demo):
    with demo.app_context():
        conversations = db.session.scalars(select(Conversation)).all()
        assert len(conversations) >= 2
        for conversation in conversations:
            messages = db.session.scalars(select(Message).where(Message.conversation_id == conversation.id)
                                          .order_by(Message.id)).all()
            times = [m.created_at for m in messages]
            assert times == sorted(times) and len(set(times)) == len(times), conversation.id
            assert conversation.last_message_id == messages[-1].id
            assert conversation.last_message_at == messages[-1].created_at
            assert conversation.created_at == messages[0].created_at


def test_every_accepted_demo_request_has_its_mentorship(demo):
    with demo.app_context():
        requests = db.session.scalars(select(MentorshipRequest)).all()
        accepted = [r for r in requests if r.status == RequestStatus.ACCEPTED]
        assert len(accepted) >= 10
        for request in accepted:
            assert request.mentorship_id is not None, request.id
            mentorship = db.session.get(Mentorship, request.mentorship_id)
            assert (mentorship.mentee_id, mentorship.mentor_id, mentorship.type) == \
                (request.mentee_id, request.mentor_id, request.type)
            assert request.created_at <= mentorship.started_at
            assert request.responded_at is not None and request.responded_at <= mentorship.started_at
        for request in requests:
            if request.mentorship_id is not None:
                assert request.status == RequestStatus.ACCEPTED, request.id


def test_demo_notifications_list_newest_first_by_date_and_the_admin_has_one_role(demo):
    with demo.app_context():
        fellow = db.session.scalars(select(User).where(User.email == "fellow@example.org")).one()
        titles = db.session.scalars(select(Notification.title).where(Notification.user_id == fellow.id)
                                    .order_by(Notification.created_at.desc(), Notification.id.desc())).all()
        ids_by_id = db.session.scalars(select(Notification.title).where(Notification.user_id == fellow.id)
                                       .order_by(Notification.id.desc())).all()
        admin = db.session.scalars(select(User).where(User.email == "admin@example.org")).one()
        assert admin.name == "Morgan Blake"
        fellow_id, admin_id = fellow.id, admin.id
    assert titles != ids_by_id, "the demo's notifications are not made in date order: a real test of the order"
    client = demo.test_client()
    sign_in_session(client, demo, SimpleNamespace(id=fellow_id))
    page = client.get("/notifications/").get_data(as_text=True)
    positions = [page.index(str(escape(title))) for title in titles]
    assert positions == sorted(positions)
    admin_client = demo.test_client()
    sign_in_session(admin_client, demo, SimpleNamespace(id=admin_id))
    home = visible_text(admin_client.get("/").get_data(as_text=True))
    assert "Morgan Blake (Administrator)" in home and "(Admin)" not in home


def test_the_demo_leaves_no_mail_waiting(demo):
    """Mails the demo's services queued while seeding are its history: recorded as sent, not left for the
    first ``flask outbox send`` to deliver to the demo addresses."""
    from network.mail.models import EmailOutbox, OutboxStatus

    with demo.app_context():
        statuses = db.session.scalars(select(EmailOutbox.status)).all()
    assert statuses and set(statuses) == {OutboxStatus.SENT}
