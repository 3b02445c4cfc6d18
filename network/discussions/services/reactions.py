"""Members marking posts helpful: one reaction per member and post, given or taken back by the same button.
The route asks ``permissions.can_react`` first; a deleted account takes its reactions with it."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from network.discussions.models import Post, Reaction
from network.extensions import db
from network.members.models import User
from network.signals import account_deleted


def toggle_helpful(member: User, post: Post) -> bool:
    """Mark ``post`` helpful for ``member``, or take the mark back if they gave it; True when it is now given.
    Two clicks racing meet the primary key (member, post): the second fails with IntegrityError."""
    taken_back = db.session.execute(delete(Reaction).where(Reaction.post_id == post.id,
                                                           Reaction.user_id == member.id)).rowcount
    if not taken_back:
        db.session.add(Reaction(post_id=post.id, user_id=member.id))
        db.session.flush()
    return not taken_back


def helpful_count(post_id: int) -> int:
    """How many members found the post helpful."""
    return db.session.scalar(select(func.count()).select_from(Reaction).where(Reaction.post_id == post_id))


@account_deleted.connect
def _forget_reactions(user: User, **_details) -> None:
    """Which posts a member found helpful is theirs: it goes with the account (``signals.account_deleted``)."""
    db.session.execute(delete(Reaction).where(Reaction.user_id == user.id))
