"""Access rows for direct messages, their moderation, the outbox page and unsubscribe links.

The prepared conversation is between two members outside the matrix's roles: every role, admins
included, gets 404 there (only its two members may know it exists)."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, everyone, like_faculty, members


def admin_only(admin, pending=PENDING):
    return like_faculty({"anonymous": LOGIN, "pending": pending, "fellow": 403, "alumni": 403, "faculty": 403,
                         "admin": admin})


NOT_THEIRS = members(LOGIN, 403, 404)

ROUTES = {
    ("messages.index", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("messages.compose", "GET"): ({"to": "@recipient"}, members(LOGIN, PENDING, 200)),
    ("messages.compose", "POST"): ({"to": "@recipient"}, members(LOGIN, 403, 400)),
    ("messages.show", "GET"): ({"conversation_id": "@conversation"}, members(LOGIN, PENDING, 404)),
    ("messages.send", "POST"): ({"conversation_id": "@conversation"}, NOT_THEIRS),
    ("messages.report", "GET"): ({"message_id": "@message"}, members(LOGIN, PENDING, 404)),
    ("messages.report", "POST"): ({"message_id": "@message"}, NOT_THEIRS),
    ("messages.block", "POST"): ({"member_id": "@recipient"}, members(LOGIN, 403, "→/messages/settings")),
    ("messages.unblock", "POST"): ({"member_id": "@recipient"}, members(LOGIN, 403, "→/messages/settings")),
    ("messages.settings", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("messages.settings", "POST"): ({}, members(LOGIN, 403, 400)),
    ("messages.reports", "GET"): ({}, admin_only(200)),
    ("messages.resolve", "POST"): ({"report_id": "@report"}, admin_only(400, pending=403)),
    ("mail.outbox", "GET"): ({}, admin_only(200)),
    ("mail.retry", "POST"): ({"mail_id": "@failed_mail"}, admin_only("→/admin/outbox/", pending=403)),
    ("mail.show", "GET"): ({"mail_id": "@failed_mail"}, admin_only(200)),
    # The mail preview is development's: 404 in tests (tests/test_mail_preview.py turns it on).
    ("mail.preview_list", "GET"): ({}, admin_only(404)),
    ("mail.preview_show", "GET"): ({"name": "20261201T120000000000-0123456789ab-confirm-email.eml"},
                                   admin_only(404)),
    ("notifications.unsubscribe", "GET"): ({"token": "@unsubscribe_token"}, everyone(200)),
    ("notifications.unsubscribe", "POST"): ({"token": "@unsubscribe_token"},
                                            everyone("→/notifications/unsubscribe/@unsubscribe_token")),
}


def prepare(app, people, make_user):
    """Two outsiders with a conversation and a reported message, a member to write to, a failed mail."""
    from network.extensions import db
    from network.mail.models import EmailOutbox, OutboxStatus
    from network.members.models import User
    from network.messages import services
    from network.notifications.unsubscribe import make_token

    first, second = make_user(role="alumni"), make_user(role="fellow")
    recipient = make_user(role="faculty", name="Dr. Matrix Recipient")
    with app.test_request_context():
        sender, receiver = db.session.get(User, first.id), db.session.get(User, second.id)
        message = services.start(sender, receiver, "Hello from outside the matrix")
        report = services.report(receiver, message, "Spam")
        mail = EmailOutbox(kind="discussion-reply", recipient=second.email, subject="s", text_body="t",
                           html_body="<p>h</p>", status=OutboxStatus.FAILED, attempts=6)
        db.session.add(mail)
        db.session.commit()
        return {"recipient": recipient.id, "conversation": message.conversation_id, "message": message.id,
                "report": report.id, "failed_mail": mail.id,
                "unsubscribe_token": make_token(second.email, "discussion-reply")}
