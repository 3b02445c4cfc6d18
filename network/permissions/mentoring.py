"""Mentoring outside matching rounds: who offers it, who asks for it, who changes a logged meeting.

Members, mentorships and meetings are passed in; only plain attributes are read.
"""

from __future__ import annotations

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


def can_read_meeting_notes(user, meeting) -> bool:
    """A logged meeting's notes are read by both sides of the mentorship (the caller's check), unless the
    member who logged it made them private: then by that member alone, not even a hint for the other."""
    return not meeting.notes_private or meeting.author_id == user.id
