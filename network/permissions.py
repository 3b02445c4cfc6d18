"""Yes/no answers about what a member may do, used by routes and templates alike."""

from __future__ import annotations

from typing import NamedTuple

from network.members.models import Role


def is_member(user) -> bool:
    """Signed in and verified: may use the network."""
    return bool(user and user.is_authenticated and user.is_verified)


def can_verify_members(user) -> bool:
    return is_member(user) and user.role == Role.ADMIN


def can_place_in_cohort(user) -> bool:
    """Put an existing member in a cohort without their accepting an invitation: administrators only
    (program staff invite; the member joins by accepting)."""
    return is_member(user) and user.role == Role.ADMIN


# -- discussions ---------------------------------------------------------------
# Categories and threads are passed in; only their plain attributes are read, so this module
# needs nothing from the discussions area (visibility values: "members", "cohort", "faculty").

def cohort_roles(user) -> dict[int, tuple[str, int]]:
    """``{cohort_id: (role in cohort, program_id)}`` for ``user``, queried once per loaded user."""
    cached = getattr(user, "_cohort_roles", None)
    if cached is None:
        from sqlalchemy import select

        from network.extensions import db
        from network.programs.models import Cohort, CohortMembership

        rows = db.session.execute(
            select(CohortMembership.cohort_id, CohortMembership.role, Cohort.program_id)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(CohortMembership.user_id == user.id)
        ).all()
        cached = {cohort_id: (str(role), program_id) for cohort_id, role, program_id in rows}
        user._cohort_roles = cached
    return cached


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
    """Admins everywhere; faculty in the faculty-only category and in their programs' cohort categories."""
    if not can_view_category(user, category):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.FACULTY:
        return False
    visibility = str(category.visibility)
    if visibility == "faculty":
        return True
    if visibility == "cohort" and category.cohort is not None:
        programs = {program for role, program in cohort_roles(user).values() if role == "faculty"}
        return category.cohort.program_id in programs
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
    """Open threads take replies from anyone who sees them; locked ones only from moderators."""
    if not can_view_thread(user, thread):
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
