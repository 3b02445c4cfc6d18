"""Scholarly items (articles, abstracts, talks, grants...) and their authors in printed order.

An item belongs to one member (its ``owner``). Its author lines may name other members, who are asked to
confirm; a confirmed co-author shows the item on their own profile too. Who may read an item is the
owner's choice (``visibility``, as for other profile fields): ``queries.items_visible_to`` is that rule in SQL.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from network.extensions import db
from network.members.models import User
from network.mentorship.models import Mentorship
from network.opportunities.models import Opportunity
from network.profiles.models import Visibility
from network.types import LabelledEnum, enum_column, intpk, member_fk, utc_now, utc_updated
from network.years import AcademicYear


class ItemKind(LabelledEnum):
    ARTICLE = "article", "Peer-reviewed article"
    REVIEW = "review", "Review article"
    CASE_REPORT = "case_report", "Case report"
    CHAPTER = "chapter", "Book chapter"
    ABSTRACT = "abstract", "Abstract"
    POSTER = "poster", "Poster"
    PODIUM = "podium", "Podium presentation"
    GRAND_ROUNDS = "grand_rounds", "Grand rounds"
    WORKSHOP = "workshop", "Workshop taught"
    QI_PROJECT = "qi_project", "Quality improvement project"
    IRB_PROTOCOL = "irb_protocol", "IRB-approved protocol"
    GRANT = "grant", "Grant"
    ROLE = "role", "Editorial or committee role"


class ItemStatus(LabelledEnum):
    IN_PREPARATION = "in_preparation", "In preparation"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    PUBLISHED = "published", "Published"
    PRESENTED = "presented", "Presented"


class AuthorConfirmation(LabelledEnum):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


_JOURNAL = {"volume", "issue", "pages", "doi", "pmid"}
#: The optional fields each kind uses; the form hides the others and the item keeps none of them.
KIND_FIELDS: dict[ItemKind, set[str]] = {
    ItemKind.ARTICLE: _JOURNAL, ItemKind.REVIEW: _JOURNAL, ItemKind.CASE_REPORT: _JOURNAL,
    ItemKind.ABSTRACT: _JOURNAL | {"presented_at"}, ItemKind.CHAPTER: {"pages", "doi"},
    ItemKind.POSTER: {"presented_at"}, ItemKind.PODIUM: {"presented_at"}, ItemKind.WORKSHOP: {"presented_at"},
    ItemKind.GRAND_ROUNDS: set(), ItemKind.QI_PROJECT: set(), ItemKind.IRB_PROTOCOL: set(), ItemKind.GRANT: set(),
    ItemKind.ROLE: set(),
}


def normalize_title(title: str) -> str:
    """The title as duplicates are compared: accents, case, punctuation and spacing left out."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", letters).split())[:500]


def academic_year_of(day: date | None) -> int | None:
    """The July–June academic year ``day`` falls in, as its start year (2025 for 2025-07-01 … 2026-06-30)."""
    return None if day is None else AcademicYear.of(day).start_year


class ScholarlyItem(db.Model):
    __tablename__ = "scholarly_item"
    # A member's list, newest first, read a page at a time (keyset on published_on, id).
    __table_args__ = (Index("ix_scholarly_item_owner_published", "owner_id", "published_on", "id"),)

    id: Mapped[intpk]
    owner_id: Mapped[member_fk]
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, "scholarly_item_kind"))
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus, "scholarly_item_status"))
    title: Mapped[str] = mapped_column(String(500))
    normalized_title: Mapped[str] = mapped_column(String(500), index=True, default="")
    # The journal, meeting, publisher, funder or committee.
    venue: Mapped[str] = mapped_column(String(300), default="")
    # Publication, presentation or start date.
    published_on: Mapped[date | None]
    volume: Mapped[str] = mapped_column(String(40), default="")
    issue: Mapped[str] = mapped_column(String(40), default="")
    pages: Mapped[str] = mapped_column(String(40), default="")
    doi: Mapped[str] = mapped_column(String(200), index=True, default="")
    pmid: Mapped[str] = mapped_column(String(12), index=True, default="")
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "scholarly_item_visibility"),
                                                   default=Visibility.MEMBERS)
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship.id", ondelete="SET NULL"), index=True)
    # The research-collaboration opportunity it came from, and the conference or workshop it was presented at.
    collaboration_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"),
                                                         index=True)
    presented_at_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[utc_now]
    updated_at: Mapped[utc_updated]

    owner: Mapped[User] = relationship()
    authors: Mapped[list[ScholarlyAuthor]] = relationship(back_populates="item", order_by="ScholarlyAuthor.position",
                                                          cascade="all, delete-orphan", passive_deletes=True)
    mentorship: Mapped[Mentorship | None] = relationship()
    collaboration: Mapped[Opportunity | None] = relationship(foreign_keys=[collaboration_id])
    presented_at: Mapped[Opportunity | None] = relationship(foreign_keys=[presented_at_id])

    @validates("title")
    def _keep_normalized_title(self, _key, title: str) -> str:
        self.normalized_title = normalize_title(title)
        return title

    @property
    def academic_year(self) -> int | None:
        """The July–June year of ``published_on``, as its start year (None without a date)."""
        return academic_year_of(self.published_on)


class ScholarlyAuthor(db.Model):
    """One author line, as printed ("Okafor AN"), perhaps linked to a member who confirms it."""

    __tablename__ = "scholarly_author"
    __table_args__ = (UniqueConstraint("item_id", "position"),
                      Index("ix_scholarly_author_member_confirmation", "member_id", "confirmation"))

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("scholarly_item.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # None for the owner's own line and for authors who are not members.
    confirmation: Mapped[AuthorConfirmation | None] = mapped_column(
        enum_column(AuthorConfirmation, "scholarly_author_confirmation", 16))

    item: Mapped[ScholarlyItem] = relationship(back_populates="authors")
    member: Mapped[User | None] = relationship()


class ScholarlyImport(db.Model):
    """Citations parsed from a paste or file, kept between the preview and the save (never in the cookie)."""

    __tablename__ = "scholarly_import"

    id: Mapped[intpk]
    owner_id: Mapped[member_fk]
    filename: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[utc_now]
