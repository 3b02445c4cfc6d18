"""Messages: the fellow's conversations, one of them long, members they blocked, and open reports."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from network.extensions import db
from tests.budget import _rows

ARGUMENTS = {"messages.show": {"conversation_id": "budget_conversation"},
             "messages.report": {"message_id": "budget_message"}}
VIEWERS = {"messages.show": "fellow", "messages.report": "fellow", "messages.reports": "admin"}


def populate(app, people, named, count):
    from network.messages.models import Conversation, MemberBlock, Message, MessageReport
    from network.types import utcnow

    with app.app_context():
        fellow, alumni = people["fellow"].id, people["alumni"].id
        now = utcnow()
        if "budget_conversation" not in named:
            low, high = sorted((fellow, alumni))
            conversation = Conversation(low_member_id=low, high_member_id=high)
            db.session.add(conversation)
            db.session.flush()
            named["budget_conversation"] = conversation.id
        conversation_id = named["budget_conversation"]
        # The long conversation grows, half of it from the alumna (unread for the fellow).
        db.session.execute(insert(Message), [
            {"conversation_id": conversation_id, "sender_id": (alumni, fellow)[n % 2], "body": f"Budget message {n}",
             "created_at": now} for n in range(count)])
        last = db.session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id))
        named.setdefault("budget_message", db.session.scalar(
            select(Message.id).where(Message.conversation_id == conversation_id, Message.sender_id == alumni)
            .order_by(Message.id).limit(1)))
        db.session.get(Conversation, conversation_id).last_message_id = last
        # More conversations in the fellow's list, each with an unread message, and as many blocks.
        others = _rows.members(count, role="fellow", prefix="Writer")
        db.session.execute(insert(Conversation), [
            {"low_member_id": min(fellow, o), "high_member_id": max(fellow, o), "created_at": now,
             "last_message_at": now, "low_read_id": 0, "high_read_id": 0} for o in others])
        conversations = dict(db.session.execute(
            select(Conversation.id, Conversation.low_member_id + Conversation.high_member_id - fellow)
            .where(Conversation.id != conversation_id,
                   (Conversation.low_member_id == fellow) | (Conversation.high_member_id == fellow))).all())
        new = {cid: other for cid, other in conversations.items() if other in set(others)}
        db.session.execute(insert(Message), [{"conversation_id": cid, "sender_id": other, "body": "Hello",
                                              "created_at": now} for cid, other in new.items()])
        for cid, message_id in db.session.execute(select(Message.conversation_id, func.max(Message.id))
                                                  .where(Message.conversation_id.in_(list(new)))
                                                  .group_by(Message.conversation_id)).all():
            db.session.get(Conversation, cid).last_message_id = message_id
        db.session.execute(insert(MemberBlock), [{"blocker_id": fellow, "blocked_id": o, "created_at": now}
                                                 for o in others])
        # Open reports for the moderators: the fellow reports messages the writers sent.
        db.session.execute(insert(MessageReport), [
            {"message_id": message_id, "reporter_id": fellow, "reason": "Spam", "status": "open", "created_at": now}
            for message_id in db.session.scalars(select(Message.id).where(Message.conversation_id.in_(list(new))))])
        db.session.commit()
