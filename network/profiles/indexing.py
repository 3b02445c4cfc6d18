"""Keep the directory's index in step with who may be found, whatever changed a member.

A member's words are indexed when they edit their profile (``services.reindex``), and again when a
term they use is renamed (``signals.term_renamed``). The other
changes that decide whether and how a member is found — being verified, rejected, deactivated
or deleted, or renamed — can happen in any area (the admin pages, invitations, account deletion),
so they are caught here, in the flush that writes them, and the index changes in the same
transaction.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from network.extensions import db
from network.members.models import User
from network.profiles import search
from network.profiles.models import Profile, profile_interest
from network.programs.models import Cohort, Program
from network.signals import term_renamed
from network.taxonomy.models import Interest, PracticeSetting, Specialty

#: The member columns that decide whether, and by which name, a member is found.
WATCHED = ("name", "status", "deleted_at")

#: What the directory's filter form offers. Each process keeps the filter choices for one version of
#: the directory, so a flush that adds, changes or deletes any of these gives it a new version.
#: (Bulk ``insert()``/``update()`` statements bypass the flush: call ``search.mark_changed`` with them.)
FILTER_MODELS = (Specialty, Interest, PracticeSetting, Program, Cohort)


@event.listens_for(Session, "before_flush")
def _note_members_to_reindex(session: Session, flush_context, instances) -> None:
    changed = [user for user in session.dirty if isinstance(user, User) and _watched_change(user)]
    if not changed:
        return
    for user in changed:
        if user.profile is None and user.is_verified and user.deleted_at is None:
            # A newly admitted member gets an (empty) profile, so the directory finds them by name.
            user.profile = Profile(user_id=user.id)
            session.add(user.profile)
    session.info.setdefault("members_to_reindex", set()).update(changed)


@event.listens_for(Session, "before_flush")
def _note_filter_changes(session: Session, flush_context, instances) -> None:
    if any(isinstance(item, FILTER_MODELS) for changes in (session.new, session.dirty, session.deleted)
           for item in changes):
        session.info["directory_filters_changed"] = True


@event.listens_for(Session, "after_flush_postexec")
def _reindex_members(session: Session, flush_context) -> None:
    if session.info.pop("directory_filters_changed", False):
        search.mark_changed(session)
    users = session.info.pop("members_to_reindex", None)
    for user in users or ():
        profile = user.profile
        if profile is None:
            continue
        if user.is_verified and user.deleted_at is None:
            profile.search_document = search.build_document(user.name, profile)
            search.sync_document(session, user.id, profile.search_document)
        else:
            search.drop_document(session, user.id)


def _watched_change(user: User) -> bool:
    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


@term_renamed.connect
def _reindex_users_of(term, **_) -> None:
    """The members who chose a renamed interest or specialty are found by its new name."""
    if isinstance(term, Interest):
        user_ids = select(profile_interest.c.profile_id).where(profile_interest.c.interest_id == term.id)
    elif isinstance(term, Specialty):
        user_ids = select(Profile.user_id).where(Profile.primary_specialty_id == term.id)
    else:
        return
    users = db.session.scalars(
        select(User).where(User.id.in_(user_ids))
        .options(selectinload(User.profile).selectinload(Profile.interests),
                 selectinload(User.profile).joinedload(Profile.primary_specialty))
    ).all()
    for user in users:
        user.profile.search_document = search.build_document(user.name, user.profile)
        search.sync_document(db.session, user.id, user.profile.search_document)
