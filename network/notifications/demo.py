"""Demo notifications, each about a real demo object and linking to it, dated when it happened.

Made last (after mentoring, discussions, opportunities, matching and messages), through the same
``notify`` the areas use, from the data itself: the fellow's accepted request and their overdue
mentorship, a reply in the fellow's thread, the workshop seat they hold, their unread message; the
director's waiting request and the interest in their post; the alumna's request and graduation. The
matching round's notifications come from opening it (``network.matching.demo``). Notifications older
than a week, and all of the alumna's (her badge starts empty), are read.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import select

from network.demo import link_context
from network.discussions.models import Post, Thread
from network.discussions.services.posting import reply
from network.extensions import db
from network.members.models import User
from network.mentorship.models import Mentorship, MentorshipRequest, MentorshipStatus, RequestStatus
from network.messages.models import Conversation, Message
from network.messages.services import PREVIEW
from network.notifications.models import Notification
from network.notifications.services import notify
from network.opportunities.models import ExpressionOfInterest, Opportunity, Rsvp, RsvpStatus
from network.programs.models import Cohort, CohortMembership
from network.types import utcnow

#: Notifications older than this are read; newer ones wait in the badge.
READ_AFTER = timedelta(days=7)


def seed_notifications() -> int:
    """Idempotent: does nothing once the demo fellow has a notification other than the matching round's.
    Returns the notifications made."""
    people = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
        ["fellow@example.org", "faculty@example.org", "alumni@example.org"])))}
    fellow, director, alumna = (people.get("fellow@example.org"), people.get("faculty@example.org"),
                                people.get("alumni@example.org"))
    if not (fellow and director and alumna):
        return 0
    if db.session.scalar(select(Notification.id).where(Notification.user_id == fellow.id,
                                                       Notification.kind != "matching-opened").limit(1)):
        return 0
    with link_context():  # links built with url_for, as the areas build theirs
        made = (_mentoring(fellow, director, alumna) + _discussions(fellow, alumna) + _opportunities(fellow, director)
                + _messages(fellow) + _graduation(alumna))
    now = utcnow()
    for notification, at in made:
        notification.created_at = at
        if now - at > READ_AFTER or notification.user_id == alumna.id:
            notification.read_at = at + timedelta(hours=2)
    db.session.flush()
    return len(made)


def _mentoring(fellow: User, director: User, alumna: User) -> list[tuple[Notification, datetime]]:
    made = []
    accepted = db.session.scalars(select(MentorshipRequest).where(
        MentorshipRequest.mentee_id == fellow.id, MentorshipRequest.status == RequestStatus.ACCEPTED,
        MentorshipRequest.mentorship_id.is_not(None))).first()
    if accepted is not None:
        made.append((notify(fellow.id, "mentorship-accepted", f"{director.name} accepted your request",
                            url_for("mentorship.workspace", mentorship_id=accepted.mentorship_id),
                            "mentorship", accepted.mentorship_id), accepted.responded_at))
    today = date.today()
    for mentorship in db.session.scalars(select(Mentorship).where(
            Mentorship.mentee_id == fellow.id, Mentorship.status == MentorshipStatus.ACTIVE)):
        if mentorship.is_overdue(today):
            weeks = (today - (mentorship.last_met_on or mentorship.started_at.date())).days // 7
            made.append((notify(fellow.id, "reminder-meeting",
                                f"Time to meet {mentorship.mentor.name}: no meeting logged in {weeks} weeks",
                                url_for("mentorship.workspace", mentorship_id=mentorship.id),
                                "mentorship", mentorship.id), utcnow() - timedelta(hours=20)))
    waiting = db.session.scalars(select(MentorshipRequest).where(
        MentorshipRequest.mentor_id.in_([director.id, alumna.id]), MentorshipRequest.status == RequestStatus.PENDING)
        .order_by(MentorshipRequest.created_at)).all()
    for request in waiting:
        made.append((notify(request.mentor_id, "mentorship-request",
                            f"{request.mentee.name} asks you for {request.type.label.lower()} mentoring",
                            url_for("mentorship.requests"), "mentorship_request", request.id), request.created_at))
        days = (utcnow() - request.created_at).days
        if days >= 7:
            made.append((notify(request.mentor_id, "reminder-request",
                                f"{request.mentee.name} has waited {days} days for your answer",
                                url_for("mentorship.requests"), "mentorship_request", request.id),
                         utcnow() - timedelta(hours=3)))
    return made


def _discussions(fellow: User, alumna: User) -> list[tuple[Notification, datetime]]:
    """The latest reply by someone else in a thread the fellow started; then the alumna answers there and
    mentions the fellow (a real reply: the discussions area notifies them, as it would on the site)."""
    row = db.session.execute(
        select(Post, Thread).join(Thread, Thread.id == Post.thread_id)
        .where(Thread.author_id == fellow.id, Post.author_id != fellow.id, Post.removed_at.is_(None),
               Post.held.is_(False), Thread.held.is_(False), Thread.removed_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(1)).first()
    if row is None:
        return []
    post, thread = row
    author = db.session.get(User, post.author_id)
    made = [(notify(fellow.id, "discussion-reply", f"{author.name} replied in “{thread.title}”",
                    url_for("discussions.show_post", post_id=post.id), "thread", thread.id), post.created_at)]
    reply(alumna, thread, f"@{fellow.name} I faced the same choice last year: happy to talk it through.")
    # The fellow accepted a reply as the answer to one of his threads (discussions/demo.py): its author heard.
    answered = db.session.execute(
        select(Thread.id, Thread.title, Post.id.label("post_id"), Post.author_id, Post.created_at)
        .join(Post, Post.id == Thread.answer_post_id).where(Thread.author_id == fellow.id).limit(1)).first()
    if answered is not None:
        made.append((notify(answered.author_id, "discussion-answer",
                            f"Your reply was accepted as the answer in “{answered.title}”",
                            url_for("discussions.show_post", post_id=answered.post_id), "thread", answered.id),
                     answered.created_at + timedelta(days=1)))
    return made


def _opportunities(fellow: User, director: User) -> list[tuple[Notification, datetime]]:
    made = []
    seat = db.session.execute(
        select(Rsvp, Opportunity).join(Opportunity, Opportunity.id == Rsvp.opportunity_id)
        .where(Rsvp.user_id == fellow.id, Rsvp.status == RsvpStatus.GOING, Opportunity.removed_at.is_(None))
        .order_by(Rsvp.responded_at.desc()).limit(1)).first()
    if seat is not None:
        rsvp, event = seat
        made.append((notify(fellow.id, "opportunity-waitlist", f"A seat opened: you are going to “{event.title}”",
                            url_for("opportunities.show", opportunity_id=event.id), "opportunity", event.id),
                     rsvp.responded_at))
    interest = db.session.execute(
        select(ExpressionOfInterest, Opportunity)
        .join(Opportunity, Opportunity.id == ExpressionOfInterest.opportunity_id)
        .where(Opportunity.poster_id == director.id, Opportunity.removed_at.is_(None))
        .order_by(ExpressionOfInterest.created_at.desc()).limit(1)).first()
    if interest is not None:
        entry, opportunity = interest
        member = db.session.get(User, entry.user_id)
        made.append((notify(director.id, "opportunity-interest",
                            f"{member.name} is interested in “{opportunity.title}”",
                            url_for("opportunities.interested", opportunity_id=opportunity.id), "opportunity",
                            opportunity.id), entry.created_at))
    return made


def _messages(fellow: User) -> list[tuple[Notification, datetime]]:
    """In each of the fellow's conversations, each member is told of the last message written to them."""
    made = []
    for conversation in db.session.scalars(select(Conversation).where(
            (Conversation.low_member_id == fellow.id) | (Conversation.high_member_id == fellow.id))):
        messages = db.session.scalars(select(Message).where(Message.conversation_id == conversation.id,
                                                            Message.removed_at.is_(None))
                                      .order_by(Message.id.desc())).all()
        for recipient_id in (conversation.low_member_id, conversation.high_member_id):
            last = next((m for m in messages if m.sender_id != recipient_id), None)
            if last is None:
                continue
            sender = db.session.get(User, last.sender_id)
            preview = last.body if len(last.body) <= PREVIEW else last.body[:PREVIEW - 1].rstrip() + "…"
            notification = notify(recipient_id, "message-new", f"{sender.name} sent you a message: “{preview}”",
                                  url_for("messages.show", conversation_id=conversation.id), "conversation",
                                  conversation.id)
            if conversation.read_id(recipient_id) >= last.id:
                notification.read_at = last.created_at + timedelta(hours=1)
            made.append((notification, last.created_at))
    return made


def _graduation(alumna: User) -> list[tuple[Notification, datetime]]:
    """The alumna's class graduated: would she mentor the next one?"""
    cohort = db.session.scalars(select(Cohort).join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
                                .where(CohortMembership.user_id == alumna.id, Cohort.graduated_at.is_not(None))
                                .order_by(Cohort.graduated_at.desc())).first()
    if cohort is None:
        return []
    return [(notify(alumna.id, "cohort-graduated",
                    f"Congratulations on graduating from {cohort.name}! Would you mentor the next class?",
                    url_for("mentorship.settings"), "cohort", cohort.id), cohort.graduated_at)]
