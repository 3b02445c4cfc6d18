"""The controlled vocabularies: specialties (also used as training backgrounds), interests,
board certifications and practice settings. Admins rename, add and retire terms; a retired
term stays on the profiles that use it but is no longer offered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import intpk


class TermMixin:
    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug}>"


class Specialty(TermMixin, db.Model):
    __tablename__ = "specialty"


class Interest(TermMixin, db.Model):
    __tablename__ = "interest"


class BoardCertification(TermMixin, db.Model):
    __tablename__ = "board_certification"


class PracticeSetting(TermMixin, db.Model):
    __tablename__ = "practice_setting"


#: The vocabularies by URL key, with their labels, for the admin pages and forms.
VOCABULARIES = {
    "specialties": (Specialty, "Specialties and training backgrounds"),
    "interests": (Interest, "Interests"),
    "certifications": (BoardCertification, "Board certifications"),
    "practice-settings": (PracticeSetting, "Practice settings"),
}


def active_terms(model):
    """A ``select`` of the terms still offered, in display order."""
    return select(model).where(model.retired_at.is_(None)).order_by(model.position, model.name)


def all_terms(model):
    return select(model).order_by(model.position, model.name)
