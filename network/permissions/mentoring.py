"""Mentoring outside matching rounds: who offers it, who asks for it, who changes a logged meeting.

Members, mentorships and meetings are passed in; only plain attributes are read.
"""

from __future__ import annotations

from sqlalchemy import or_

from network.members.models import Role
from network.permissions.members import has_role, is_member
from network.permissions.programs import MENTOR_ROLES


def can_offer_mentoring(user) -> bool:
    """Alumni and faculty mentor (their mentoring settings, requests and mentees)."""
    return has_role(user, *MENTOR_ROLES)


def can_look_for_mentors(user) -> bool:
    """Fellows look for mentors (recommendations, requests, their mentoring team)."""
    return has_role(user, Role.FELLOW)


def can_ask_for_mentoring(user, mentor, *, open_to_mentees: bool) -> bool:
    """Fellows ask another member who takes mentees (``open_to_mentees``: their mentoring settings say so).
    Which kinds, a place free and no request already waiting are the request's own checks."""
    return (can_look_for_mentors(user) and mentor is not None and mentor.id != user.id and open_to_mentees)


def can_change_meeting(user, meeting, mentorship) -> bool:
    """A logged meeting is corrected or deleted by the member who logged it (its notes may be private to
    them), while the mentorship is active: an ended one is kept as it was, for both to read."""
    return (is_member(user) and meeting is not None and meeting.author_id == user.id
            and str(mentorship.status) == "active")


def can_see_class(user) -> bool:
    """"My class" (classmates, the class's category, its deadlines) is for fellows: an alumnus's class has
    graduated, and its people are in the directory."""
    return has_role(user, Role.FELLOW)


def sees_mentorship(user, mentorship) -> bool:
    """Who mentors whom is shown to the mentorship's two members. No profile, directory or class page shows a
    member's mentors to anyone else; program staff see their fellows' on the cohort dashboard, a page of the
    program they run (``can_manage_cohort``)."""
    return is_member(user) and user.id in (mentorship.mentee_id, mentorship.mentor_id)


def visible_mentorships(user, mentorship):
    """``sees_mentorship`` as a SQL condition on the ``Mentorship`` model or an alias of it."""
    return or_(mentorship.mentee_id == user.id, mentorship.mentor_id == user.id)


def can_read_meeting_notes(user, meeting) -> bool:
    """A logged meeting's notes are read by both sides of the mentorship (the caller's check), unless the
    member who logged it made them private: then by that member alone, not even a hint for the other."""
    return not meeting.notes_private or meeting.author_id == user.id
