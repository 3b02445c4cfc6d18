"""Fellowship programs, their cohorts (classes) and cohort memberships."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import LabelledEnum, enum_column, intpk, member_fk, utc_now


class Program(db.Model):
    __tablename__ = "program"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    institution: Mapped[str] = mapped_column(String(160))
    city: Mapped[str] = mapped_column(String(120), default="")
    specialty_id: Mapped[int | None] = mapped_column(ForeignKey("specialty.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[utc_now]

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="program", order_by="Cohort.start_date")

    def __repr__(self) -> str:
        return f"<Program {self.slug}>"


class Cohort(db.Model):
    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))  # "Class of 2027"
    start_date: Mapped[date]
    end_date: Mapped[date]
    graduated_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship(back_populates="cohorts")

    @property
    def is_graduated(self) -> bool:
        return self.graduated_at is not None

    def __repr__(self) -> str:
        return f"<Cohort {self.program_id} {self.name}>"


class CohortRole(enum.StrEnum):
    FELLOW = "fellow"
    FACULTY = "faculty"  # a faculty advisor of the cohort


class CohortMembership(db.Model):
    __tablename__ = "cohort_membership"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[member_fk]
    role: Mapped[CohortRole] = mapped_column(enum_column(CohortRole, "cohort_role", length=16))
    joined_at: Mapped[utc_now]

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()  # noqa: F821


class ProgramRole(LabelledEnum):
    DIRECTOR = "director", "Program director"
    COORDINATOR = "coordinator", "Program coordinator"
    FACULTY = "faculty", "Faculty"


class ProgramStaff(db.Model):
    """A faculty member who runs a program: they manage its cohorts, invitations and dashboard."""

    __tablename__ = "program_staff"
    __table_args__ = (UniqueConstraint("program_id", "user_id"),)

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[member_fk]
    role: Mapped[ProgramRole] = mapped_column(enum_column(ProgramRole, "program_role", length=16))
    added_at: Mapped[utc_now]

    program: Mapped[Program] = relationship()
    user: Mapped[User] = relationship()  # noqa: F821
