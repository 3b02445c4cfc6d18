"""Direct messages: sending and reading, who may write, blocks, reports, privacy and query budgets."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from network.audit.models import AuditLog
from network.extensions import db
from network.messages.models import Conversation, Message, MessageReport
from network.notifications.models import Notification
from tests.conftest import outbox
from tests.html_checks import check_page


def page_text(response) -> str:
    return response.data.decode()


def nav_badge(html: str) -> int:
    """The unread-messages badge in the navigation (0 when absent)."""
    found = re.search(r'id="unread-messages">(\d+)<', html)
    return int(found.group(1)) if found else 0


def write(client, to_id: int, body: str):
    return client.post(f"/messages/new?to={to_id}", data={"body": body})


def conversation_id_of(response) -> int:
    return int(re.search(r"/messages/(\d+)", response.headers["Location"]).group(1))


def set_who_may_write(client, value: str):
    assert client.post("/messages/settings", data={"who_may_write": value}).status_code == 302


def make_mentorship(app, mentor_id: int, mentee_id: int) -> None:
    from network.mentorship.models import Mentorship

    with app.app_context():
        db.session.add(Mentorship(mentor_id=mentor_id, mentee_id=mentee_id, type="research"))
        db.session.commit()


def test_a_message_reaches_the_other_member_with_a_badge_a_notification_and_a_mail(app, make_user, login):
    fellow, mentor = make_user(role="fellow", name="Dr. Kofi Mensah"), make_user(role="alumni", name="Dr. Ana Ruiz")
    fellow_client, mentor_client = login(app.test_client(), fellow), login(app.test_client(), mentor)
    form = fellow_client.get(f"/messages/new?to={mentor.id}")
    assert form.status_code == 200 and check_page(form.data) == []
    sent = write(fellow_client, mentor.id, "Could we talk about my ultrasound-guided block study?")
    assert sent.status_code == 302
    conversation_id = conversation_id_of(sent)
    # The mentor sees one unread message in the navigation and the conversation in their list.
    home = page_text(mentor_client.get("/"))
    assert nav_badge(home) == 1
    listing = mentor_client.get("/messages/")
    assert check_page(listing.data) == [] and "Dr. Kofi Mensah" in page_text(listing)
    assert "ultrasound-guided block study" in page_text(listing)
    notes = page_text(mentor_client.get("/notifications/"))
    assert "Dr. Kofi Mensah sent you a message" in notes
    [mail] = outbox(app, "message-new")
    assert mail.recipient == mentor.email and "ultrasound-guided block study" in mail.text_body
    assert mail.unsubscribe_url and "/notifications/unsubscribe/" in mail.unsubscribe_url
    # Opening the conversation reads it: badge and its notification are cleared.
    page = mentor_client.get(f"/messages/{conversation_id}")
    assert page.status_code == 200 and check_page(page.data) == []
    assert "ultrasound-guided block study" in page_text(page)
    # The badges are read with the member at the start of each request: reading the conversation drops them,
    # so the conversation page itself already shows no unread message or notification.
    assert nav_badge(page_text(page)) == 0 and not re.search(r"Notifications <span class=\"badge", page_text(page))
    assert nav_badge(page_text(mentor_client.get("/"))) == 0
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == mentor.id)) is not None
    # The reply goes the other way; writing again to the same member continues the same conversation.
    reply = mentor_client.post(f"/messages/{conversation_id}/send", data={"body": "Yes, Thursday at noon?"})
    assert reply.status_code == 302
    assert nav_badge(page_text(fellow_client.get("/"))) == 1
    again = fellow_client.get(f"/messages/new?to={mentor.id}")
    assert again.status_code == 302 and conversation_id_of(again) == conversation_id
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert db.session.scalar(select(func.count()).select_from(Message)) == 2


def test_an_empty_message_is_refused_next_to_the_field(app, make_user, login):
    fellow, other = make_user(), make_user()
    client = login(app.test_client(), fellow)
    response = write(client, other.id, "   ")
    assert response.status_code == 400 and "Write a message first." in page_text(response)
    assert check_page(response.data) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_only_the_two_members_can_read_a_conversation(app, make_user, login):
    first, second = make_user(role="fellow"), make_user(role="alumni")
    third, admin = make_user(role="faculty"), make_user(role="admin")
    sent = write(login(app.test_client(), first), second.id, "Private: my visa question")
    conversation_id = conversation_id_of(sent)
    with app.app_context():
        message_id = db.session.scalar(select(Message.id))
    for outsider in (third, admin):
        client = login(app.test_client(), outsider)
        assert client.get(f"/messages/{conversation_id}").status_code == 404
        assert client.post(f"/messages/{conversation_id}/send", data={"body": "hi"}).status_code == 404
        assert client.get(f"/messages/m/{message_id}/report").status_code == 404
        assert "visa question" not in page_text(client.get("/messages/"))
    assert login(app.test_client(), second).get(f"/messages/{conversation_id}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_a_member_who_allows_nobody_is_refused_with_the_reason(app, make_user, login):
    writer, private = make_user(), make_user(role="alumni", name="Dr. Quiet")
    set_who_may_write(login(app.test_client(), private), "nobody")
    client = login(app.test_client(), writer)
    page = client.get(f"/messages/new?to={private.id}")
    assert page.status_code == 403 and "Dr. Quiet does not accept new conversations." in page_text(page)
    assert check_page(page.data) == []
    refused = write(client, private.id, "Hello?")
    assert refused.status_code == 403 and "does not accept new conversations" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_connected_only_lets_mentors_mentees_and_program_people_write(app, make_user, login):
    mentor, mentee, stranger = make_user(role="alumni", name="Dr. Guarded"), make_user(), make_user()
    make_mentorship(app, mentor.id, mentee.id)
    set_who_may_write(login(app.test_client(), mentor), "connected")
    refused = write(login(app.test_client(), stranger), mentor.id, "Hi")
    assert refused.status_code == 403
    assert "accepts new conversations only from their mentors, mentees" in page_text(refused)
    assert write(login(app.test_client(), mentee), mentor.id, "Hi, your mentee here").status_code == 302


def test_an_existing_conversation_continues_after_the_member_closes_new_ones(app, make_user, login):
    writer, other = make_user(), make_user()
    conversation_id = conversation_id_of(write(login(app.test_client(), writer), other.id, "First"))
    set_who_may_write(login(app.test_client(), other), "nobody")
    answer = login(app.test_client(), writer).post(f"/messages/{conversation_id}/send", data={"body": "Second"})
    assert answer.status_code == 302


def test_a_block_stops_messages_both_ways_until_lifted(app, make_user, login):
    first, second = make_user(name="Dr. First"), make_user(name="Dr. Second")
    first_client, second_client = login(app.test_client(), first), login(app.test_client(), second)
    conversation_id = conversation_id_of(write(first_client, second.id, "Hello"))
    assert second_client.post(f"/messages/block/{first.id}").status_code == 302
    # The blocked member can neither reply nor start again; the blocker cannot write either.
    refused = first_client.post(f"/messages/{conversation_id}/send", data={"body": "Why?"})
    assert refused.status_code == 403 and "Dr. Second does not accept messages from you." in page_text(refused)
    assert write(first_client, second.id, "Hello again").status_code == 403
    assert first_client.post(f"/messages/{conversation_id}/send", data={"body": "x"}).status_code == 403
    own = second_client.post(f"/messages/{conversation_id}/send", data={"body": "Bye"})
    assert own.status_code == 403 and "You blocked Dr. First" in page_text(own)
    conversation = page_text(second_client.get(f"/messages/{conversation_id}"))
    assert "You blocked Dr. First" in conversation and 'name="body"' not in conversation
    settings = second_client.get("/messages/settings")
    assert check_page(settings.data) == [] and "Dr. First" in page_text(settings)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    assert second_client.post(f"/messages/unblock/{first.id}").status_code == 302
    assert first_client.post(f"/messages/{conversation_id}/send", data={"body": "Thanks"}).status_code == 302


def test_a_blocked_member_cannot_start_a_conversation(app, make_user, login):
    first, second = make_user(), make_user(name="Dr. Blocker")
    login(app.test_client(), second).post(f"/messages/block/{first.id}")
    refused = login(app.test_client(), first).get(f"/messages/new?to={second.id}")
    assert refused.status_code == 403 and "Dr. Blocker does not accept messages from you." in page_text(refused)


def test_a_reported_message_reaches_the_moderators_who_can_remove_it(app, make_user, login):
    sender, receiver = make_user(name="Dr. Spammy"), make_user(name="Dr. Careful")
    admin = make_user(role="admin")
    sender_client, receiver_client = login(app.test_client(), sender), login(app.test_client(), receiver)
    conversation_id = conversation_id_of(write(sender_client, receiver.id, "Buy my course at a discount"))
    with app.app_context():
        message_id = db.session.scalar(select(Message.id))
    # One cannot report one's own message.
    assert sender_client.get(f"/messages/m/{message_id}/report").status_code == 403
    form = receiver_client.get(f"/messages/m/{message_id}/report")
    assert form.status_code == 200 and check_page(form.data) == []
    assert receiver_client.post(f"/messages/m/{message_id}/report", data={"reason": ""}).status_code == 400
    assert receiver_client.post(f"/messages/m/{message_id}/report",
                                data={"reason": "Advertising"}).status_code == 302
    twice = receiver_client.post(f"/messages/m/{message_id}/report", data={"reason": "Again"})
    assert twice.status_code == 400 and "already reported" in page_text(twice)
    admin_client = login(app.test_client(), admin)
    reports = admin_client.get("/messages/reports")
    text = page_text(reports)
    assert check_page(reports.data) == []
    assert "Buy my course at a discount" in text and "Dr. Careful" in text and "Advertising" in text
    # The sender can be found on the members page, to deactivate them.
    manage = re.search(r'href="(/admin/members/\?q=[^"]+)"', text).group(1).replace("&amp;", "&")
    assert "Dr. Spammy" in page_text(admin_client.get(manage))
    # The moderator still cannot open the conversation itself.
    assert admin_client.get(f"/messages/{conversation_id}").status_code == 404
    with app.app_context():
        report_id = db.session.scalar(select(MessageReport.id))
    assert admin_client.post(f"/messages/reports/{report_id}/resolve",
                             data={"action": "remove", "confirm": "yes"}).status_code == 302
    assert "No open reports." in page_text(admin_client.get("/messages/reports"))
    assert admin_client.post(f"/messages/reports/{report_id}/resolve", data={"action": "dismiss"}).status_code == 409
    seen = page_text(receiver_client.get(f"/messages/{conversation_id}"))
    assert "removed by a moderator" in seen and "Buy my course" not in seen
    with app.app_context():
        actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"message.report", "message.remove"} <= actions


def test_sending_is_rate_limited_per_member(make_app, make_user, login):
    app = make_app(MESSAGE_RATE_LIMIT="2 per minute")
    first, second = make_user(), make_user()
    client = login(app.test_client(), first)
    conversation_id = conversation_id_of(write(client, second.id, "one"))
    assert client.post(f"/messages/{conversation_id}/send", data={"body": "two"}).status_code == 302
    limited = client.post(f"/messages/{conversation_id}/send", data={"body": "three"})
    assert limited.status_code == 429 and "faster than the network allows" in page_text(limited)


def _fill(app, conversation_id: int, sender_ids: tuple[int, int], count: int) -> None:
    """Add ``count`` messages alternating between the two members, then point the conversation at the last."""
    with app.app_context():
        db.session.add_all(Message(conversation_id=conversation_id, sender_id=sender_ids[n % 2],
                                   body=f"Message number {n}") for n in range(count))
        db.session.flush()
        conversation = db.session.get(Conversation, conversation_id)
        conversation.last_message_id = db.session.scalar(select(func.max(Message.id)))
        db.session.commit()


def test_conversation_pages_cost_the_same_queries_at_5_and_500_messages(app, make_user, login, count_queries):
    me, other = make_user(), make_user()
    client = login(app.test_client(), me)
    conversation_id = conversation_id_of(write(client, other.id, "Start"))
    for n in range(3):  # a few more conversations in the list, with unread messages
        partner = make_user()
        conversation_id_of(write(login(app.test_client(), partner), me.id, f"Hello {n}"))
    client.get("/")  # the first request of a session writes last_seen
    _fill(app, conversation_id, (me.id, other.id), 4)
    with count_queries() as few_list:
        assert client.get("/messages/").status_code == 200
    with count_queries() as few_page:
        page = client.get(f"/messages/{conversation_id}")
        assert page.status_code == 200
    _fill(app, conversation_id, (me.id, other.id), 495)
    with count_queries() as many_list:
        assert client.get("/messages/").status_code == 200
    with count_queries() as many_page:
        page = client.get(f"/messages/{conversation_id}")
        assert page.status_code == 200
    text = page_text(page)
    assert "Message number 494" in text and "Message number 400" not in text and "Older messages" in text
    older = re.search(r'href="(/messages/\d+\?before=\d+)"', text).group(1)
    assert "Message number 460" in page_text(client.get(older))
    assert len(few_list) == len(many_list) <= 12, many_list
    assert len(few_page) == len(many_page) <= 12, many_page


def test_the_demo_has_conversations_a_report_and_notifications_of_every_kind(app, runner):
    from network.notifications.kinds import GROUPS, group_of

    assert runner.invoke(args=["demo"]).exit_code == 0
    fellow = app.test_client()
    fellow.post("/auth/login", data={"email": "fellow@example.org", "password": "demo-password-2026"})
    listing = page_text(fellow.get("/messages/"))
    assert "Dr. Priya Raman" in listing and "Dr. Sofia Martins" in listing
    assert nav_badge(listing) == 1
    with app.app_context():
        kinds = set(db.session.scalars(select(Notification.kind)))
    # (the weekly program brief is a mail, never a notification)
    assert {group_of(kind).key for kind in kinds} == {group.key for group in GROUPS} - {"other", "program-brief"}
    admin = app.test_client()
    admin.post("/auth/login", data={"email": "admin@example.org", "password": "demo-password-2026"})
    assert "discount code" in page_text(admin.get("/messages/reports"))
    assert runner.invoke(args=["demo"]).exit_code == 0  # idempotent
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 3


def test_line_breaks_are_kept_and_markup_is_escaped(app, make_user, login):
    first, second = make_user(), make_user()
    client = login(app.test_client(), first)
    conversation_id = conversation_id_of(write(client, second.id, "Line one\nLine <b>two</b>"))
    html = page_text(client.get(f"/messages/{conversation_id}"))
    assert "Line one<br>Line &lt;b&gt;two&lt;/b&gt;" in html


def test_a_member_hears_once_per_conversation_until_they_read_it(app, make_user, login):
    writer, reader = make_user(name="Dr. Chatty"), make_user()
    client, reader_client = login(app.test_client(), writer), login(app.test_client(), reader)
    conversation_id = conversation_id_of(write(client, reader.id, "First thought"))
    client.post(f"/messages/{conversation_id}/send", data={"body": "Second thought"})
    client.post(f"/messages/{conversation_id}/send", data={"body": "Third thought"})
    with app.app_context():
        titles = db.session.scalars(select(Notification.title).where(Notification.user_id == reader.id)).all()
    assert titles == ["Dr. Chatty sent you 3 messages, the latest: “Third thought”"]
    assert len(outbox(app, "message-new")) == 1
    assert nav_badge(page_text(reader_client.get("/"))) == 3
    reader_client.get(f"/messages/{conversation_id}")  # read: the next message is news again
    client.post(f"/messages/{conversation_id}/send", data={"body": "Fourth thought"})
    assert len(outbox(app, "message-new")) == 2
    assert "Fourth thought" in page_text(reader_client.get("/notifications/"))


def test_a_message_with_strong_patient_identifiers_is_not_sent(app, make_user, login):
    fellow, mentor = make_user(role="fellow"), make_user(role="alumni")
    client = login(app.test_client(), fellow)
    body = "Pt John Smith MRN 1234567 DOB 01/02/1960 is on my list"
    for data in ({"body": body}, {"body": body, "confirm_no_phi": "y"}):
        refused = client.post(f"/messages/new?to={mentor.id}", data=data)
        text = page_text(refused)
        assert refused.status_code == 400 and "cannot be sent" in text
        assert '<mark title="medical record number">1234567</mark>' in text
        assert check_page(refused.data) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Message.id))) == 0
        assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert outbox(app, "message-new") == []
    # The same in a conversation that already exists.
    sent = write(client, mentor.id, "Hello, a question about your study")
    conversation_id = conversation_id_of(sent)
    refused = client.post(f"/messages/{conversation_id}/send", data={"body": body, "confirm_no_phi": "y"})
    assert refused.status_code == 400 and "cannot be sent" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count(Message.id))) == 1
    assert "1234567" not in page_text(login(app.test_client(), mentor).get("/notifications/"))


def test_weaker_identifiers_need_confirmation_and_never_reach_previews(app, make_user, login):
    fellow, mentor = make_user(role="fellow"), make_user(role="alumni")
    client = login(app.test_client(), fellow)
    body = "Her office said to call 617-555-0134 about the referral"
    refused = write(client, mentor.id, body)
    assert refused.status_code == 400 and "tick the box" in page_text(refused)
    assert 'name="confirm_no_phi"' in page_text(refused)
    sent = client.post(f"/messages/new?to={mentor.id}", data={"body": body, "confirm_no_phi": "y"})
    assert sent.status_code == 302
    mentor_client = login(app.test_client(), mentor)
    assert "617-555-0134" in page_text(mentor_client.get(f"/messages/{conversation_id_of(sent)}"))
    notifications = page_text(mentor_client.get("/notifications/"))
    assert "call [removed] about" in notifications and "617-555-0134" not in notifications
    mails = outbox(app, "message-new")
    assert mails and all("617-555-0134" not in m.subject + m.text_body + m.html_body for m in mails)
