"""Specialties: a member's primary specialty and the one they trained in before fellowship."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import UTCDateTime


class Specialty(db.Model):
    __tablename__ = "specialty"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # Retired entries stay on existing profiles but are no longer offered.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Specialty {self.slug}>"

