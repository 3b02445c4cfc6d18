"""Drafts: the reply a member has started in a thread and not posted, kept on the server so it can be
finished on another device. One per member and thread; saving again overwrites it; posting the reply or
discarding it deletes it, and so does deleting the account. A draft has not passed the patient-identifier
guard (the post does, when it is posted), so it is shown to its member only."""

from __future__ import annotations

from sqlalchemy import delete

from network.discussions.models import Draft
from network.extensions import db
from network.members.models import User
from network.signals import account_deleted
from network.types import utcnow


def save_draft(member_id: int, thread_id: int, body: str) -> Draft | None:
    """Keep ``body`` as the member's draft in the thread (an empty text discards it). The route checks
    the length and that the member may reply."""
    if not body.strip():
        discard_draft(member_id, thread_id)
        return None
    draft = db.session.get(Draft, (member_id, thread_id))
    if draft is None:
        draft = Draft(user_id=member_id, thread_id=thread_id, body=body, updated_at=utcnow())
        db.session.add(draft)
    else:
        draft.body, draft.updated_at = body, utcnow()
    db.session.flush()
    return draft


def discard_draft(member_id: int, thread_id: int) -> None:
    """Delete the member's draft in the thread, if there is one (posted or thrown away)."""
    db.session.execute(delete(Draft).where(Draft.user_id == member_id, Draft.thread_id == thread_id))


@account_deleted.connect
def _forget_drafts(user: User, **_details) -> None:
    """A deleted account takes its unposted text with it (``signals.account_deleted``)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user.id))
