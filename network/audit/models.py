"""An append-only record of administrative actions: who, what, on what, when and from which address."""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import intpk, utc_now


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[intpk]
    created_at: Mapped[utc_now] = mapped_column(index=True)
    # None when the action came from the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # The client address of the request (after the proxy fix); None from the command line.
    ip: Mapped[str | None] = mapped_column(String(45))
    # Set when the action concerns one program, so its faculty see the entry.
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"), index=True)

    actor: Mapped[User | None] = relationship()  # noqa: F821


def _request_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(actor_id: int | None, action: str, target_type: str, target_id: int | None, *,
           program_id: int | None = None, **details) -> AuditLog:
    """Add an audit entry to the current transaction; the request's address is filled in."""
    entry = AuditLog(actor_id=actor_id, action=action, target_type=target_type, target_id=target_id,
                     details=details, ip=_request_address(), program_id=program_id)
    db.session.add(entry)
    return entry
