"""Who sees and moderates which discussion categories, threads and posts.

Categories, threads and posts are passed in; only their plain attributes are read (visibility values:
"members", "cohort", "faculty"), so this module needs nothing from the discussions area. The lists
(category index, search, moderation queue, home page) ask the same questions as SQL conditions; each
condition is written next to the yes/no rule it mirrors, and both read the same constants, so a page's
list and its 404s cannot drift apart. The mapped classes (``Category``, ``Thread``) are passed in to
those conditions too.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, false, or_, select, true

from network.extensions import db
from network.members.models import Role
from network.permissions.members import administers, has_role, is_member
from network.permissions.programs import cohort_roles, managed_program_ids
from network.programs.models import CohortMembership

#: Category visibility values (``CategoryVisibility`` in the discussions area).
MEMBERS, COHORT, FACULTY = "members", "cohort", "faculty"


# -- who sees a category: one rule, three forms ------------------------------------

def _sees_category(user, category, in_cohort) -> bool:
    """The rule, for a member: admins see every category; every member the open ones; the faculty lounge
    faculty; a cohort's category the members of that cohort (``in_cohort()``, asked only then)."""
    if administers(user):
        return True
    visibility = str(category.visibility)
    if visibility == MEMBERS:
        return True
    if visibility == FACULTY:
        return user.role == Role.FACULTY
    if visibility == COHORT:
        return category.cohort_id is not None and in_cohort()
    return False


def can_view_category(user, category) -> bool:
    """Members see open categories; cohort categories are for that cohort; the faculty lounge for faculty."""
    if not is_member(user) or category is None:
        return False
    return _sees_category(user, category, lambda: category.cohort_id in cohort_roles(user))


def visible_categories(user, category):
    """``can_view_category`` as a SQL condition on ``category`` (the ``Category`` class or an alias)."""
    if not is_member(user):
        return false()
    if administers(user):
        return true()
    conditions = [category.visibility == MEMBERS,
                  # The member's cohorts as a subquery: no round trip of its own.
                  and_(category.visibility == COHORT, category.cohort_id.in_(
                      select(CohortMembership.cohort_id).where(CohortMembership.user_id == user.id)))]
    if user.role == Role.FACULTY:
        conditions.append(category.visibility == FACULTY)
    return or_(*conditions)


def who_can_view_category(users: list, category) -> list:
    """The members among ``users`` who may see ``category`` (``can_view_category`` for many members at
    once, in at most one query: the mentioned or subscribed members of a new post)."""
    users = [user for user in users if is_member(user)]
    if category is None:
        return []
    in_cohort: set[int] = set()
    if str(category.visibility) == COHORT and category.cohort_id is not None:
        ids = [user.id for user in users if not administers(user)]
        if ids:
            in_cohort = set(db.session.scalars(select(CohortMembership.user_id).where(
                CohortMembership.cohort_id == category.cohort_id, CohortMembership.user_id.in_(ids))))
    return [user for user in users if _sees_category(user, category, lambda user=user: user.id in in_cohort)]


# -- moderation --------------------------------------------------------------------

def can_moderate(user, category) -> bool:
    """Admins everywhere; faculty in the faculty-only category and in the categories of the cohorts they
    belong to of the programs they run (a cohort's faculty advisor who is not its program's staff does not)."""
    if not can_view_category(user, category):
        return False
    if administers(user):
        return True
    if user.role != Role.FACULTY:
        return False
    visibility = str(category.visibility)
    if visibility == FACULTY:
        return True
    if visibility == COHORT:
        # Seeing the category means belonging to its cohort, whose program the member's roles name.
        _, program_id = cohort_roles(user)[category.cohort_id]
        return program_id in managed_program_ids(user)
    return False


def _moderated_cohorts(user) -> list[int]:
    """The cohorts ``user`` belongs to of the programs they run."""
    programs = managed_program_ids(user)
    if not programs:
        return []
    return [cohort for cohort, (_, program) in cohort_roles(user).items() if program in programs]


def moderated_categories(user, category):
    """``can_moderate`` as a SQL condition on ``category`` (the ``Category`` class or an alias)."""
    if administers(user):
        return true()
    if not has_role(user, Role.FACULTY):
        return false()
    conditions = [category.visibility == FACULTY]
    cohorts = _moderated_cohorts(user)
    if cohorts:
        conditions.append(and_(category.visibility == COHORT, category.cohort_id.in_(cohorts)))
    return or_(*conditions)


def can_moderate_anything(user) -> bool:
    """May open the moderation queue."""
    return has_role(user, Role.ADMIN, Role.FACULTY)


def can_manage_categories(user) -> bool:
    """Creating, editing and ordering categories is for administrators."""
    return administers(user)


# -- threads and posts -------------------------------------------------------------

def can_view_thread(user, thread) -> bool:
    """The category is visible, and a thread held for review only to its author and moderators."""
    if not can_view_category(user, thread.category):
        return False
    return not thread.held or thread.author_id == user.id or can_moderate(user, thread.category)


def visible_threads(user, thread, category):
    """``can_view_thread`` as a SQL condition on ``thread`` joined to its ``category``."""
    return and_(visible_categories(user, category),
                or_(thread.held.is_(False), thread.author_id == user.id, moderated_categories(user, category)))


def can_view_post(user, post) -> bool:
    """A post is seen where its thread is, and a post held for review only by its author and moderators."""
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
    """Authors remove their own posts; moderators remove any."""
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


# -- reactions and accepted answers ------------------------------------------------

def can_react(user, post) -> bool:
    """Members who see a published post may mark it helpful, except its author. A held or removed post
    (or a post of a held thread) takes none; a locked thread still does: marking a post helpful is no
    reply, and later readers are the ones it helps."""
    if not can_view_post(user, post) or post.held or post.is_removed or post.thread.held:
        return False
    return post.author_id != user.id


def reactions_on_page(user, thread):
    """``can_react`` for a page of ``thread``'s posts: a function post -> bool, the thread-level checks
    made once for the page."""
    if not can_view_thread(user, thread) or thread.held:
        return lambda post: False
    return lambda post: not post.held and not post.is_removed and post.author_id != user.id


def can_mark_answer(user, thread) -> bool:
    """The thread's author (while they may still see it) and its category's moderators choose the reply
    that answers it; a thread held for review or removed has none."""
    if not can_view_thread(user, thread) or thread.held or thread.removed_at is not None:
        return False
    return thread.author_id == user.id or can_moderate(user, thread.category)


def can_be_answer(post, thread) -> bool:
    """A published reply of ``thread`` (not its opening post) may be its answer."""
    return (post.thread_id == thread.id and post.id != thread.first_post_id and not post.held
            and not post.is_removed)
