"""Demo cockpit: what the other areas' demo leaves for Northbridge's current class (fellows without mentors of
some types, an overdue mentorship, an open round with fellows who have not ranked and mentors who have not
reviewed, unanswered invitations) and the two things only the cockpit asks for: a mentoring request left
unanswered for nine days, and a post held for review in the class's own discussion category. The director has
reminded the mentor of that request once already (so the alumna has a reminder among her notifications)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from network.audit.models import record
from network.cockpit import lists, nudges
from network.discussions.models import Category, Post, Thread
from network.discussions.rendering import render_body
from network.extensions import db
from network.members.models import User
from network.mentorship.models import MentorshipRequest, RequestStatus
from network.notifications.models import Notification
from network.programs.models import Cohort, Program
from network.types import utcnow

PROGRAM = "northbridge-pain"
CLASS = "Class of 2027"
#: The fellow who waits, and the alumna who has not answered (her requests page shows it too).
WAITING_FELLOW, SLOW_MENTOR = "fellow23.northbridge@example.org", "alumni@example.org"
DIRECTOR = "faculty@example.org"
REMINDER_NOTE = "Sofia, a quick yes or no helps him plan his spring: thank you!"
REQUEST_MESSAGE = ("I would like guidance on the academic job market next year: how you chose between "
                   "an academic and a private practice offer.")
HELD_POST = ("Question about the patient I presented Tuesday: Mr. Jensen, DOB 02/11/1961, asked whether his "
             "spinal cord stimulator trial can start before his MRI.")


def seed_cockpit() -> None:
    """Add the waiting request and the held post, once (safe to run again)."""
    now = utcnow()
    cohort = db.session.scalar(select(Cohort).join(Program, Program.id == Cohort.program_id)
                               .where(Program.slug == PROGRAM, Cohort.name == CLASS))
    people = {user.email: user for user in db.session.scalars(select(User).where(
        User.email.in_([WAITING_FELLOW, SLOW_MENTOR])))}
    fellow, mentor = people.get(WAITING_FELLOW), people.get(SLOW_MENTOR)
    if cohort is None or fellow is None or mentor is None:
        return
    if not db.session.scalar(select(MentorshipRequest.id).where(MentorshipRequest.message == REQUEST_MESSAGE)):
        db.session.add(MentorshipRequest(mentee_id=fellow.id, mentor_id=mentor.id, type="career",
                                         message=REQUEST_MESSAGE, status=RequestStatus.PENDING,
                                         created_at=now - timedelta(days=9)))
        db.session.flush()
    _remind_the_mentor(cohort, mentor)
    category = db.session.scalar(select(Category).where(Category.cohort_id == cohort.id))
    thread = category and db.session.scalars(select(Thread).where(Thread.category_id == category.id,
                                                                  Thread.held.is_(False))
                                             .order_by(Thread.id)).first()
    if thread is None or db.session.scalar(select(Post.id).where(Post.body == HELD_POST)):
        return
    post = Post(thread_id=thread.id, author_id=fellow.id, body=HELD_POST, body_html=render_body(HELD_POST)[0],
                created_at=now - timedelta(hours=5), held=True)
    db.session.add(post)
    db.session.flush()
    record(fellow.id, "post.hold", "post", post.id, thread_id=thread.id, reason="possible patient identifiers",
           kinds=["dob", "name"])


def _remind_the_mentor(cohort: Cohort, mentor: User) -> None:
    """The director reminded the alumna of the waiting request from her cockpit, as a director would (once)."""
    director = db.session.scalar(select(User).where(User.email == DIRECTOR))
    if director is None or db.session.scalar(select(Notification.id).where(Notification.kind == nudges.NUDGE,
                                                                           Notification.user_id == mentor.id)):
        return
    waiting = [entry for entry in lists.entries("waiting-requests", [cohort.id])
               if entry.people == ((mentor.id, mentor.name),)]
    nudges.remind(director, db.session.get(Program, cohort.program_id), "waiting-requests", waiting, REMINDER_NOTE)
