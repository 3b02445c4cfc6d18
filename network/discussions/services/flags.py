"""Flags: a member asks the moderators to look at a post, and a moderator resolves the flag, dismissing it or
removing the post. (A post whose author confirmed its likely identifiers enters the same queue: ``review``.)"""

from __future__ import annotations

from network.audit.models import record
from network.discussions.models import Flag, Post
from network.discussions.queries import open_flag_id
from network.discussions.services.errors import AlreadyDone
from network.discussions.services.removal import remove_post
from network.extensions import db
from network.members.models import User
from network.types import utcnow


def flag_post(reporter: User, post: Post, reason: str) -> Flag:
    """A member asks the moderators to look at a post (once while their flag is open)."""
    if open_flag_id(post, reporter.id) is not None:
        raise AlreadyDone("You already flagged this post; a moderator will look at it.")
    flag = Flag(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.session.add(flag)
    db.session.flush()
    record(reporter.id, "post.flag", "post", post.id, flag_id=flag.id, reason=reason)
    return flag


def resolve_flag(actor: User, flag: Flag, remove: bool, reason: str = "") -> None:
    """A moderator dismisses a flag, or removes the flagged post (``reason`` reaches its author)."""
    if flag.resolved_at is not None:
        raise AlreadyDone("This flag was already handled.")
    if remove and not flag.post.is_removed:
        remove_post(actor, flag.post, reason=reason, flag_reason=flag.reason)
    flag.resolved_at, flag.resolved_by_id = utcnow(), actor.id
    flag.resolution = "removed" if remove else "dismissed"
    record(actor.id, "flag.resolve", "flag", flag.id, post_id=flag.post_id, resolution=flag.resolution)
