"""Keep the directory whole, whatever changed a member.

Who may be found, and by which name, can change in any area (the admin pages, invitations, account
deletion); the full-text index follows by itself (``Profile`` declares, in ``network.profiles.models``,
that a member's name, status and deletion make their document stale). One thing remains for here:
a member who becomes verified gets an (empty) profile, so the directory finds them by name. (The
directory's cached rankings and filter choices follow their tables by themselves: ``network.cache``.)
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from network.members.models import User
from network.profiles.models import MEMBER_FINDABILITY, Profile


@event.listens_for(Session, "before_flush")
def _give_admitted_members_a_profile(session: Session, flush_context, instances) -> None:
    for user in session.dirty:
        if (isinstance(user, User) and _watched_change(user)
                and user.profile is None and user.is_verified and user.deleted_at is None):
            user.profile = Profile(user_id=user.id)
            session.add(user.profile)


def _watched_change(user: User) -> bool:
    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in MEMBER_FINDABILITY)
