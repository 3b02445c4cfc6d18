"""Demo messages and notifications: the demo fellow talks with their mentor and with the demo alumna,
one reported message waits for the moderators, and the demo members have a notification of every kind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.messages.models import Conversation, Message, MessageReport
from network.notifications.models import Notification
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
        message = Message(conversation_id=conversation.id, sender_id=names[who].id, body=body,
                          created_at=now - timedelta(days=days_ago, minutes=len(messages)))
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
    with_mentor = _talk(fellow, mentor, FELLOW_AND_MENTOR, {"fellow": fellow, "mentor": mentor})
    with_alumna = _talk(fellow, alumna, FELLOW_AND_ALUMNA, {"fellow": fellow, "alumna": alumna}, unread_for=fellow)
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
    _notifications(fellow, mentor, alumna, with_mentor, with_alumna)
    return made


def _notifications(fellow: User, mentor: User, alumna: User, with_mentor: Conversation,
                   with_alumna: Conversation) -> None:
    """A notification of every kind for the demo members; the older ones, and all the alumna's, are read
    (her badge starts empty: the discussions walkthrough counts on it)."""
    now = utcnow()
    rows = [
        (fellow, "mentorship-accepted", f"{mentor.name} accepted your request", "/mentorship/", 30),
        (fellow, "discussion-mention", f"{alumna.name} mentioned you in a discussion", "/discussions/", 6),
        (fellow, "discussion-reply", "New replies in a thread you follow", "/discussions/", 3),
        (fellow, "opportunity-waitlist", "A seat opened: you are going to the cadaver workshop", "/opportunities/", 5),
        (fellow, "cohort-invitation", "You were added to the Class of 2027 cohort", "/", 200),
        (fellow, "matching-results", "The mentor matching round of your cohort is published", "/mentorship/", 20),
        (fellow, "reminder-meeting", f"Time to meet {mentor.name}: no meeting logged in 10 weeks", "/mentorship/", 1),
        (fellow, "message-new", f"{alumna.name} sent you a message: “Then ask every group how many SCS trials…”",
         f"/messages/{with_alumna.id}", 0),
        (mentor, "message-new", f"{fellow.name} sent you a message: “Sorry we have not met in a while…”",
         f"/messages/{with_mentor.id}", 2),
        (mentor, "reminder-request", "A fellow has waited 8 days for your answer", "/mentorship/requests", 1),
        (mentor, "opportunity-interest", "A fellow is interested in your research collaboration", "/opportunities/", 4),
        (mentor, "cohort-graduation", "The Class of 2026 graduated: its fellows are now alumni", "/", 120),
        (alumna, "mentorship-request", "A fellow asks you for career mentoring", "/mentorship/requests", 3),
        (alumna, "matching-invitation", "You are a mentor in the next matching round", "/mentorship/", 9),
    ]
    for user, kind, title, link, days_ago in rows:
        created = now - timedelta(days=days_ago, hours=1)
        target = ("conversation", int(link.rsplit("/", 1)[1])) if kind == "message-new" else (None, None)
        db.session.add(Notification(user_id=user.id, kind=kind, title=title, link=link, created_at=created,
                                    target_type=target[0], target_id=target[1],
                                    read_at=created + timedelta(hours=2) if days_ago > 7 or user is alumna else None))
