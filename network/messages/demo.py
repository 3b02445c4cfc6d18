"""Demo messages: the demo fellow talks with their mentor and with the demo alumna, and one reported
message waits for the moderators (their notifications come from ``network.notifications.demo``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.messages.models import Conversation, Message, MessageReport
from network.types import utcnow

FELLOW_AND_MENTOR = [
    ("mentor", 9, ("Kwame, before Thursday's clinic: read the ASRA guideline on anticoagulation for "
                  "interventional spine procedures, it will come up.")),
    ("fellow", 9, "Will do. Could I shadow your cervical ESIs on Friday morning?"),
    ("mentor", 8, "Yes, 7:30 in procedure room 2. Bring your ultrasound log too."),
    ("fellow", 2, "Sorry we have not met in a while: could we find 30 minutes next week?"),
    ("mentor", 1, "Tuesday after the block conference works for me."),
]
FELLOW_AND_ALUMNA = [
    ("fellow", 6, "Dr. Martins, the program director suggested I ask you about private practice offers."),
    ("alumna", 5, "Happy to help. What matters most to you: location, call schedule or procedures?"),
    ("fellow", 5, "Procedures first: I want a practice that does spinal cord stimulation."),
    ("alumna", 0, "Then ask every group how many SCS trials they did last year. Call me on Sunday?"),
]


def _talk(first: User, second: User, lines, names: dict[str, User], unread_for: User | None = None) -> Conversation:
    low, high = sorted((first.id, second.id))
    conversation = Conversation(low_member_id=low, high_member_id=high)
    db.session.add(conversation)
    db.session.flush()
    now = utcnow()
    messages = []
    for who, days_ago, body in lines:
        # An hour before "now" on its day, a minute after the message before it: in conversation order.
        message = Message(conversation_id=conversation.id, sender_id=names[who].id, body=body,
                          created_at=now - timedelta(days=days_ago, hours=1) + timedelta(minutes=len(messages)))
        db.session.add(message)
        messages.append(message)
    db.session.flush()
    last = messages[-1]
    conversation.last_message_id, conversation.last_message_at = last.id, last.created_at
    conversation.created_at = messages[0].created_at
    # Both have read everything, except the last message when it is meant to wait for ``unread_for``.
    read_to = {first.id: last.id, second.id: last.id}
    if unread_for is not None:
        read_to[unread_for.id] = messages[-2].id
    conversation.low_read_id, conversation.high_read_id = read_to[low], read_to[high]
    return conversation


def seed_messaging() -> int:
    """Idempotent: does nothing once any conversation exists. Returns the conversations made."""
    if db.session.scalar(select(Conversation.id).limit(1)) is not None:
        return 0
    people = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
        ["fellow@example.org", "faculty@example.org", "alumni@example.org", "admin@example.org"])))}
    fellow, mentor, alumna = (people.get("fellow@example.org"), people.get("faculty@example.org"),
                              people.get("alumni@example.org"))
    if not (fellow and mentor and alumna):
        return 0
    _talk(fellow, mentor, FELLOW_AND_MENTOR, {"fellow": fellow, "mentor": mentor})
    _talk(fellow, alumna, FELLOW_AND_ALUMNA, {"fellow": fellow, "alumna": alumna}, unread_for=fellow)
    # A message the alumna reported: the administrators' moderation page has one open report.
    stranger = db.session.scalars(select(User).where(User.role == Role.FELLOW, User.status == MemberStatus.VERIFIED,
                                                     User.id.not_in([fellow.id, alumna.id]))
                                  .order_by(User.id.desc())).first()
    made = 2
    if stranger is not None:
        spam = _talk(stranger, alumna, [("stranger", 4, ("Earn CME credits fast: message me for a discount code "
                                                        "to my board review course!"))],
                     {"stranger": stranger})
        db.session.add(MessageReport(message_id=spam.last_message_id, reporter_id=alumna.id,
                                     reason="Advertising a paid course to people I do not know."))
        made += 1
    return made

