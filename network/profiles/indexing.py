"""Keep the directory whole and its version current, whatever changed a member or a filter.

Who may be found, and by which name, can change in any area (the admin pages, invitations, account
deletion); the full-text index follows by itself (``Profile`` declares, in ``network.profiles.models``,
that a member's name, status and deletion make their document stale). Two things remain for here:
a member who becomes verified gets an (empty) profile, so the directory finds them by name; and a
change to what the directory's filters offer gives the directory a new version.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from network.members.models import User
from network.profiles import search
from network.profiles.models import Profile
from network.programs.models import Cohort, Program
from network.taxonomy.models import Interest, PracticeSetting, Specialty

#: What the directory's filter form offers. Each process keeps the filter choices for one version of
#: the directory, so a flush that adds, changes or deletes any of these gives it a new version.
#: (Bulk ``insert()``/``update()`` statements bypass the flush: call ``search.mark_changed`` with them.)
FILTER_MODELS = (Specialty, Interest, PracticeSetting, Program, Cohort)


#: The member columns that decide whether, and by which name, a member is found.
WATCHED = ("name", "status", "deleted_at")


@event.listens_for(Session, "before_flush")
def _give_admitted_members_a_profile(session: Session, flush_context, instances) -> None:
    for user in session.dirty:
        if (isinstance(user, User) and _watched_change(user)
                and user.profile is None and user.is_verified and user.deleted_at is None):
            user.profile = Profile(user_id=user.id)
            session.add(user.profile)


def _watched_change(user: User) -> bool:
    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


@event.listens_for(Session, "before_flush")
def _note_filter_changes(session: Session, flush_context, instances) -> None:
    if any(isinstance(item, FILTER_MODELS) for changes in (session.new, session.dirty, session.deleted)
           for item in changes):
        session.info["directory_filters_changed"] = True


@event.listens_for(Session, "after_flush_postexec")
def _new_directory_version(session: Session, flush_context) -> None:
    if session.info.pop("directory_filters_changed", False):
        search.mark_changed(session)
