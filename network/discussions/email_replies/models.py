"""The records of reply by email: a member's reply address for a thread, and a member's choice to have none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import intpk, member_fk, member_pk, utc_now


class ReplyAddress(db.Model):
    """The address ``reply+<id>-<signature>@<domain>`` a member answers a thread's notification mails with.

    One row per member and thread. The row keeps a random ``nonce``, never the address itself: the
    address's signature is an HMAC of the row (id, member, thread, nonce) under a key derived from
    ``SECRET_KEY``, so neither a copy of the database nor the key alone makes a valid address, and the
    same address can go out in every mail about the thread (a hash of a random token could not be
    written into the next mail). A new nonce retires every address given before."""

    __tablename__ = "reply_address"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_thread.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[utc_now]
    # Renewed (30 days on) by every mail about the thread that carries the address.
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class ReplyByEmailStop(db.Model):
    """A member who stopped replies by email on their account page: their mails carry no reply address."""

    __tablename__ = "reply_by_email_stop"

    user_id: Mapped[member_pk]
    stopped_at: Mapped[utc_now]
