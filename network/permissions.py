"""Yes/no answers about what a member may do, used by routes and templates alike.

One rule for running a program: admins run every program, faculty the programs whose staff they are
(``ProgramStaff``). Being a cohort's faculty advisor makes a member of the cohort (its category, its
matching rounds' mentor pool), never a manager of it.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import null, select

from network.extensions import db
from network.members.models import Role
from network.programs.models import Cohort, CohortMembership, ProgramStaff


def is_member(user) -> bool:
    """Signed in and verified: may use the network."""
    return bool(user and user.is_authenticated and user.is_verified)


def can_verify_members(user) -> bool:
    return is_member(user) and user.role == Role.ADMIN


def can_place_in_cohort(user) -> bool:
    """Put an existing member in a cohort without their accepting an invitation: administrators only
    (program staff invite; the member joins by accepting)."""
    return is_member(user) and user.role == Role.ADMIN


def can_place_on_verification(user, cohort) -> bool:
    """Place a member in ``cohort`` as they are verified: only someone who may verify members, may place
    members in cohorts without an invitation, and manages that cohort's program."""
    return can_verify_members(user) and can_place_in_cohort(user) and can_manage_cohort(user, cohort)


# -- programs and cohorts --------------------------------------------------------
# Programs, cohorts and matching rounds are passed in; only their plain attributes are read.

def _runs_programs(user) -> bool:
    """Only verified faculty can be a program's staff (admins run every program without being its staff)."""
    return is_member(user) and user.role == Role.FACULTY


def _load_program_ties(user) -> None:
    """Read ``user``'s cohorts (role, program) and, for faculty, the programs they are staff of, in one
    query, and cache both on the loaded user: the pages that ask one usually ask the other."""
    statement = (select(CohortMembership.cohort_id, CohortMembership.role, Cohort.program_id)
                 .join(Cohort, Cohort.id == CohortMembership.cohort_id)
                 .where(CohortMembership.user_id == user.id))
    staff = _runs_programs(user)
    if staff:  # staff rows come back with no cohort and no role
        statement = statement.union_all(select(null(), null(), ProgramStaff.program_id)
                                        .where(ProgramStaff.user_id == user.id))
    rows = db.session.execute(statement).all()
    user._cohort_roles = {cohort_id: (str(role), program_id) for cohort_id, role, program_id in rows
                          if cohort_id is not None}
    if staff:
        user._managed_program_ids = frozenset(program_id for cohort_id, _, program_id in rows if cohort_id is None)


def managed_program_ids(user) -> frozenset[int]:
    """The ids of the programs ``user`` is staff of (none unless faculty), read once per loaded user."""
    if getattr(user, "_managed_program_ids", None) is None:
        if _runs_programs(user):
            _load_program_ties(user)
        else:
            user._managed_program_ids = frozenset()
    return user._managed_program_ids


def cohort_roles(user) -> dict[int, tuple[str, int]]:
    """``{cohort_id: (role in cohort, program_id)}`` for ``user``, read once per loaded user."""
    if getattr(user, "_cohort_roles", None) is None:
        _load_program_ties(user)
    return user._cohort_roles


def can_manage_program(user, program) -> bool:
    """Admins manage every program; faculty only the programs they are staff of."""
    if program is None or not is_member(user):
        return False
    return user.role == Role.ADMIN or program.id in managed_program_ids(user)


def can_manage_cohort(user, cohort) -> bool:
    """A cohort is managed by whoever manages its program (its roster, invitations, dashboard, exports)."""
    if cohort is None or not is_member(user):
        return False
    return user.role == Role.ADMIN or cohort.program_id in managed_program_ids(user)


def manages_any_program(user) -> bool:
    """Admins, and faculty who are staff of at least one program."""
    return is_member(user) and (user.role == Role.ADMIN or bool(managed_program_ids(user)))


# -- matching rounds -------------------------------------------------------------

def can_open_rounds(user) -> bool:
    """Opening a round is for those who run a program (for its cohorts, ``can_manage_cohort``)."""
    return manages_any_program(user)


def can_manage_round(user, matching_round) -> bool:
    """A round's managers (preview, runs, overrides, publish, export): admins, and faculty who run the
    program of every cohort in it."""
    if not is_member(user) or matching_round is None:
        return False
    if user.role == Role.ADMIN:
        return True
    managed = managed_program_ids(user)
    return bool(matching_round.cohorts) and all(cohort.program_id in managed for cohort in matching_round.cohorts)


def can_join_pool(user, matching_round) -> bool:
    """Alumni and faculty who belong to a program in the round (any cohort of it) may offer to mentor."""
    if not is_member(user) or matching_round is None or user.role not in (Role.ALUMNI, Role.FACULTY):
        return False
    programs = {cohort.program_id for cohort in matching_round.cohorts}
    return any(program in programs for _, program in cohort_roles(user).values())


# -- discussions ---------------------------------------------------------------
# Categories and threads are passed in; only their plain attributes are read, so this module
# needs nothing from the discussions area (visibility values: "members", "cohort", "faculty").


def can_view_category(user, category) -> bool:
    """Members see open categories; cohort categories are for that cohort; the faculty lounge for faculty."""
    if not is_member(user) or category is None:
        return False
    if user.role == Role.ADMIN:
        return True
    visibility = str(category.visibility)
    if visibility == "members":
        return True
    if visibility == "faculty":
        return user.role == Role.FACULTY
    return category.cohort_id is not None and category.cohort_id in cohort_roles(user)


def can_moderate(user, category) -> bool:
    """Admins everywhere; faculty in the faculty-only category and in the categories of the cohorts they
    belong to of the programs they run (a cohort's faculty advisor who is not its program's staff does not)."""
    if not can_view_category(user, category):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.FACULTY:
        return False
    visibility = str(category.visibility)
    if visibility == "faculty":
        return True
    if visibility == "cohort":
        # Seeing the category means belonging to its cohort, whose program the member's roles name.
        _, program_id = cohort_roles(user)[category.cohort_id]
        return program_id in managed_program_ids(user)
    return False


def can_moderate_anything(user) -> bool:
    """May open the moderation queue."""
    return is_member(user) and user.role in (Role.ADMIN, Role.FACULTY)


def can_view_thread(user, thread) -> bool:
    """The category is visible, and a thread held for review only to its author and moderators."""
    if not can_view_category(user, thread.category):
        return False
    return not thread.held or thread.author_id == user.id or can_moderate(user, thread.category)


def can_view_post(user, post) -> bool:
    if not can_view_thread(user, post.thread):
        return False
    return not post.held or post.author_id == user.id or can_moderate(user, post.thread.category)


def can_reply(user, thread) -> bool:
    """Open threads take replies from anyone who sees them; locked ones only from moderators; a removed
    one (its held opening post was removed) from nobody."""
    if not can_view_thread(user, thread) or thread.removed_at is not None:
        return False
    return not thread.locked or can_moderate(user, thread.category)


def can_edit_post(user, post) -> bool:
    """Authors edit their own posts (not in a locked thread); moderators edit any."""
    if not can_view_post(user, post) or post.is_removed:
        return False
    if can_moderate(user, post.thread.category):
        return True
    return post.author_id == user.id and not post.thread.locked


def can_remove_post(user, post) -> bool:
    if not can_view_post(user, post) or post.is_removed:
        return False
    return post.author_id == user.id or can_moderate(user, post.thread.category)


def can_restore_post(user, post) -> bool:
    """Undoing a removal is for the member who removed the post, while they still may remove it (the time
    window is the service's to check, so a late undo hears why)."""
    if not post.is_removed or post.removed_by_id != user.id or not can_view_post(user, post):
        return False
    return post.author_id == user.id or can_moderate(user, post.thread.category)


def can_see_history(user, post) -> bool:
    """Revisions are for the author and moderators."""
    return can_view_post(user, post) and (post.author_id == user.id or can_moderate(user, post.thread.category))


def can_redact_post(user, post) -> bool:
    """Patient identifiers in a post (and its history, even once removed): its author and moderators."""
    return can_see_history(user, post)


class PostActions(NamedTuple):
    edit: bool
    remove: bool
    history: bool


def post_actions_on_page(user, thread):
    """For a page of ``thread``'s posts: a function post -> ``PostActions``, the answers of
    ``can_edit_post``, ``can_remove_post`` and ``can_see_history`` with the thread-level checks made once
    for the page instead of three times per post (tests/discussions check they agree on every case)."""
    if not can_view_thread(user, thread):
        return lambda post: PostActions(False, False, False)
    moderator = can_moderate(user, thread.category)

    def actions(post) -> PostActions:
        own = post.author_id == user.id
        if post.held and not (own or moderator):
            return PostActions(False, False, False)
        live = not post.is_removed
        return PostActions(edit=live and (moderator or (own and not thread.locked)), remove=live and (own or moderator),
                           history=own or moderator)

    return actions


def can_manage_categories(user) -> bool:
    return is_member(user) and user.role == Role.ADMIN


def can_see(level, *, viewer_id: int | None, owner_id: int, connected: bool) -> bool:
    """May ``viewer_id`` see a profile field its owner shares at ``level``?

    The owner always sees their own data; verified members see ``members`` fields;
    ``connected`` fields need a relation (same program now; mentors and mentees as
    mentorship lands); ``private`` fields, and unknown levels, only the owner.
    """
    if viewer_id is None:
        return False
    if viewer_id == owner_id:
        return True
    return reaches_others(level, connected=connected)


def reaches_others(level, *, connected: bool) -> bool:
    """``can_see`` for a verified member other than the owner, ``connected`` to them or not: for reads made
    for someone who is never the owner (a mentee's mentor suggestions; a matching run, ``connected=False``
    when its readers need not be connected to the people in it)."""
    if level == "members":
        return True
    if level == "connected":
        return connected
    return False


def can_see_field(viewer, owner, level, connected: bool) -> bool:
    """The same rule for templates, with the signed-in user and the member shown."""
    if not is_member(viewer):
        return False
    return can_see(level, viewer_id=viewer.id, owner_id=owner.id, connected=connected)


# -- mentoring -----------------------------------------------------------------
# Members, mentorships and meetings are passed in; only plain attributes are read.

def can_ask_for_mentoring(user, mentor, *, open_to_mentees: bool) -> bool:
    """Fellows ask another member who takes mentees (``open_to_mentees``: their mentoring settings say so).
    Which kinds, a place free and no request already waiting are the request's own checks."""
    return (is_member(user) and user.role == Role.FELLOW and mentor is not None and mentor.id != user.id
            and open_to_mentees)


def can_change_meeting(user, meeting, mentorship) -> bool:
    """A logged meeting is corrected or deleted by the member who logged it (its notes may be private to
    them), while the mentorship is active: an ended one is kept as it was, for both to read."""
    return (is_member(user) and meeting is not None and meeting.author_id == user.id
            and str(mentorship.status) == "active")


# -- opportunities -------------------------------------------------------------
# Opportunities are passed in; only plain attributes (kind, status, poster_id) are read.

#: The kinds a fellow may post; alumni, faculty and admins post every kind.
FELLOW_OPPORTUNITY_KINDS = ("research", "conference")


def can_post_opportunity(user, kind: str | None = None) -> bool:
    """Alumni, faculty and admins post every kind; fellows research collaborations and conferences."""
    if not is_member(user):
        return False
    if user.role in (Role.ALUMNI, Role.FACULTY, Role.ADMIN):
        return True
    return user.role == Role.FELLOW and (kind is None or str(kind) in FELLOW_OPPORTUNITY_KINDS)


def can_view_opportunity(user, opportunity) -> bool:
    """Every member sees posted opportunities; a removed one only administrators."""
    if not is_member(user) or opportunity is None:
        return False
    return str(opportunity.status) != "removed" or user.role == Role.ADMIN


def can_edit_opportunity(user, opportunity) -> bool:
    """The poster edits, closes and reopens; so may administrators."""
    if not can_view_opportunity(user, opportunity) or str(opportunity.status) == "removed":
        return False
    return opportunity.poster_id == user.id or user.role == Role.ADMIN


def can_remove_opportunity(user, opportunity) -> bool:
    return can_view_opportunity(user, opportunity) and user.role == Role.ADMIN \
        and str(opportunity.status) != "removed"


def can_see_interested(user, opportunity) -> bool:
    """The list of interested members is for the poster (and administrators)."""
    return can_view_opportunity(user, opportunity) and (opportunity.poster_id == user.id
                                                         or user.role == Role.ADMIN)
