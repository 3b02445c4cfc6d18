"""Matching rounds: who takes part, who ranked whom, faculty overrides, and every run kept.

(The rest of ``network.matching`` is pure; these models are the round's storage.)
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import association_table
from network.extensions import db
from network.mentorship.models import MentoringType
from network.text.words import plural
from network.types import LabelledEnum, enum_column, intpk, member_fk, utc_now


class Algorithm(LabelledEnum):
    STABLE = "stable", "Stable (NRMP-style, fellow-proposing)"
    OPTIMAL = "optimal", "Optimal (highest total score)"


round_cohort = association_table("matching_round_cohort", ("round_id", "matching_round.id"),
                                 ("cohort_id", "cohort.id"), right_ondelete="CASCADE")


class RoundStatus(enum.StrEnum):
    """An open round takes lists, overrides and runs; publishing one run locks it for good."""

    OPEN = "open"
    PUBLISHED = "published"


class MatchingRound(db.Model):
    __tablename__ = "matching_round"
    __table_args__ = (CheckConstraint("max_choices BETWEEN 1 AND 20", name="max_choices_range"),)

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(160))
    type: Mapped[MentoringType] = mapped_column(enum_column(MentoringType, "matching_round_type"))
    algorithm: Mapped[Algorithm] = mapped_column(enum_column(Algorithm, "matching_algorithm"))
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus, "matching_round_status"),
                                                default=RoundStatus.OPEN, index=True)
    max_choices: Mapped[int] = mapped_column(default=10)
    deadline: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[utc_now]
    published_at: Mapped[datetime | None]
    published_run_id: Mapped[int | None]  # the run whose pairs became mentorships (no FK: runs point here)
    # Whether a mentor's "no answer" for a fellow who listed them counts as acceptable (the program's choice
    # when it opens the round): a mentor who never answers then blocks nobody.
    no_answer_acceptable: Mapped[bool] = mapped_column(default=True, server_default=true())

    cohorts: Mapped[list[Cohort]] = relationship(secondary=round_cohort)  # noqa: F821
    created_by: Mapped[User | None] = relationship()  # noqa: F821

    def is_open_at(self, now: datetime) -> bool:
        """Lists can still change: the round is open and its deadline has not passed."""
        return self.status == RoundStatus.OPEN and now < self.deadline

    @property
    def closed_early(self) -> bool:
        """Published before its ranking deadline: lists locked sooner than fellows were first told."""
        return self.published_at is not None and self.published_at < self.deadline


class Side(enum.StrEnum):
    """How a member takes part: fellows rank mentors; mentors join the pool and answer the fellows."""

    FELLOW = "fellow"
    MENTOR = "mentor"


class Participant(db.Model):
    """A fellow in the round, or a mentor who joined its pool with a capacity for this round."""

    __tablename__ = "matching_participant"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),
                      CheckConstraint("capacity BETWEEN 0 AND 10", name="capacity_range"))

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"))
    user_id: Mapped[member_fk]
    side: Mapped[Side] = mapped_column(enum_column(Side, "matching_side", length=16))
    capacity: Mapped[int] = mapped_column(default=0)  # mentors only
    accept_any: Mapped[bool] = mapped_column(default=False)  # mentors only: everyone who lists me, by score
    joined_at: Mapped[utc_now]

    user: Mapped[User] = relationship()  # noqa: F821


class Choice(db.Model):
    """A fellow listed a mentor (``fellow_rank``, 1 = first); the mentor's answer sits on the same row."""

    __tablename__ = "matching_choice"
    __table_args__ = (UniqueConstraint("round_id", "fellow_id", "mentor_id"),
                      Index("ix_matching_choice_round_mentor", "round_id", "mentor_id"))

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"))
    fellow_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    fellow_rank: Mapped[int]
    # None: the mentor has not answered (counts as the round's ``no_answer_acceptable`` says); False: not acceptable.
    mentor_accepts: Mapped[bool | None] = mapped_column(default=None)
    mentor_rank: Mapped[int | None]  # None: acceptable, ordered by score after the ranked ones


class OverrideKind(enum.StrEnum):
    """A pin fixes a fellow's mentor before the engine runs; a forbid strikes the pair from both lists."""

    PIN = "pin"
    FORBID = "forbid"


class Override(db.Model):
    """Faculty pinned (forced) or forbade a fellow–mentor pair for the next runs."""

    __tablename__ = "matching_override"
    __table_args__ = (UniqueConstraint("round_id", "fellow_id", "mentor_id"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"), index=True)
    fellow_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[OverrideKind] = mapped_column(enum_column(OverrideKind, "matching_override_kind", length=16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[utc_now]

    fellow: Mapped[User] = relationship(foreign_keys=[fellow_id])  # noqa: F821
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])  # noqa: F821


class RunStatus(enum.StrEnum):
    """A run is queued (large rounds wait for the worker), running, then done or failed with its error."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MatchingRun(db.Model):
    """One run of the engine; every run is kept. Large rounds are queued for ``flask matching work``.

    ``summary`` holds the figures (coverage, first choices, ...); ``pairs`` one row per fellow with
    the mentor (or None), both ranks, the score and the explanation, so a preview is one row read.
    """

    __tablename__ = "matching_run"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"), index=True)
    algorithm: Mapped[Algorithm] = mapped_column(enum_column(Algorithm, "matching_run_algorithm"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "matching_run_status", length=16),
                                              default=RunStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[utc_now]
    finished_at: Mapped[datetime | None]
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    pairs: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[MatchingRound] = relationship(foreign_keys=[round_id])
    started_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def matched_words(self) -> str:
        """"2 of 3 fellows matched", or with fellows kept with their mentor, who the figure is of."""
        summary = self.summary
        if not summary.get("kept"):
            return f"{summary['matched']} of {summary['fellows']} fellows matched"
        return (f"{summary['matched']} of {summary['needing']} fellows who need a mentor matched, "
                f"{plural(summary['kept'], 'fellow')} kept with their mentor")
