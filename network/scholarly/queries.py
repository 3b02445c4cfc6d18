"""Reading scholarly records: whose items a viewer may see, a profile's first items, a member's list a page
at a time, co-authors as links or plain names, duplicates, and the choices an item's form offers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, false, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload

from network.extensions import db
from network.members.models import MemberStatus, User
from network.mentorship.models import MentoringType, Mentorship
from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from network.profiles.directory import visible_members
from network.profiles.models import Visibility
from network.profiles.privacy import connected_member_ids
from network.scholarly.models import AuthorConfirmation, ScholarlyAuthor, ScholarlyItem

#: Items a profile page shows; the rest are a link away ("All N items" is not counted: "More" is enough).
PROFILE_SHOWN = 5
#: Items per page of a member's full list.
PAGE_SIZE = 50
#: Undated items (in preparation) sort before every dated one, newest first.
UNDATED = date(9999, 12, 31)
LISTED_ON = func.coalesce(ScholarlyItem.published_on, literal(UNDATED)).label("listed_on")
#: A member's list, newest first, as (sort key, descending) pairs: the pages' and the API's keyset order.
NEWEST_FIRST = [(func.coalesce(ScholarlyItem.published_on, literal(UNDATED)), True), (ScholarlyItem.id, True)]
#: The opportunities an item may name, per link: its research collaboration, and where it was presented.
LINK_KINDS = {"collaboration": (OpportunityKind.RESEARCH,),
              "presented_at": (OpportunityKind.CONFERENCE, OpportunityKind.WORKSHOP)}
#: At most this many opportunities are offered per link (the newest, and the one linked now).
CHOICES_SHOWN = 100


def sort_key(item: ScholarlyItem) -> tuple[date, int]:
    """An item's place in ``NEWEST_FIRST``."""
    return (item.published_on or UNDATED, item.id)


def confirmed_item_ids(member_id) -> Select:
    """A ``select`` of the ids of the items ``member_id`` confirmed as co-author."""
    return select(ScholarlyAuthor.item_id).where(ScholarlyAuthor.member_id == member_id,
                                                  ScholarlyAuthor.confirmation == AuthorConfirmation.CONFIRMED)


def item_visible_condition(viewer_id: int | None):
    """``can_see`` on an item's ``visibility`` as SQL: the owner and its confirmed co-authors always; members
    when it is for members; the owner's connections when it is for them; nobody else."""
    if viewer_id is None:
        return false()
    return or_(ScholarlyItem.owner_id == viewer_id,
               ScholarlyItem.id.in_(confirmed_item_ids(viewer_id)),
               ScholarlyItem.visibility == Visibility.MEMBERS,
               and_(ScholarlyItem.visibility == Visibility.CONNECTED,
                    ScholarlyItem.owner_id.in_(connected_member_ids(viewer_id))))


def items_of(owner_id) -> Select:
    """A ``select`` of a member's record: the items they own and those they confirmed as co-author."""
    return select(ScholarlyItem).where(or_(ScholarlyItem.owner_id == owner_id,
                                           ScholarlyItem.id.in_(confirmed_item_ids(owner_id))))


def viewer_id_of(viewer) -> int | None:
    """The id of a signed-in, verified viewer; None for anyone else (who sees no item)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_verified:
        return None
    return viewer.id


def visible_items(viewer) -> Select:
    """A ``select`` of every item ``viewer`` may see, whoever owns it (unordered)."""
    return select(ScholarlyItem).where(item_visible_condition(viewer_id_of(viewer)))


def items_visible_to(viewer, owner_id) -> Select:
    """A ``select`` of ``owner_id``'s record (own and confirmed co-authored items) that ``viewer`` (a user, or
    None) may see, newest first (undated ones first); callers add a limit, a keyset or their own filters."""
    return (items_of(owner_id).where(item_visible_condition(viewer_id_of(viewer)))
            .order_by(*(column.desc() for column, _ in NEWEST_FIRST)))


# -- lists with their authors ----------------------------------------------------------------------------------

@dataclass
class AuthorLine:
    name: str
    member_id: int | None  # only where the line links to a member the viewer may open (else a plain name)
    pending: bool = False  # linked, waiting for the member to confirm (shown to the owner)


@dataclass
class ListedItem:
    item: ScholarlyItem
    authors: list[AuthorLine] = field(default_factory=list)


#: What a listed item shows of its links, read with it (never a query per item).
LISTED_LINKS = (joinedload(ScholarlyItem.presented_at), joinedload(ScholarlyItem.collaboration))


def with_authors(items: list[ScholarlyItem]) -> list[ListedItem]:
    """The items with their author lines, in one query: a line is a link only to a member the directory shows
    (verified, not deleted) who is the owner or confirmed it; any other line is the name as printed."""
    listed = {item.id: ListedItem(item) for item in items}
    if listed:
        rows = db.session.execute(
            select(ScholarlyAuthor.item_id, ScholarlyAuthor.name, ScholarlyAuthor.member_id,
                   ScholarlyAuthor.confirmation, ScholarlyItem.owner_id, User.status, User.deleted_at)
            .join(ScholarlyItem, ScholarlyItem.id == ScholarlyAuthor.item_id)
            .outerjoin(User, User.id == ScholarlyAuthor.member_id)
            .where(ScholarlyAuthor.item_id.in_(list(listed)))
            .order_by(ScholarlyAuthor.item_id, ScholarlyAuthor.position))
        for item_id, name, member_id, confirmation, owner_id, status, deleted_at in rows:
            shown = (member_id is not None and status == MemberStatus.VERIFIED and deleted_at is None
                     and (member_id == owner_id or confirmation == AuthorConfirmation.CONFIRMED))
            listed[item_id].authors.append(AuthorLine(name, member_id if shown else None,
                                                      pending=confirmation == AuthorConfirmation.PENDING))
    return list(listed.values())


def first_items(viewer, owner_id: int, limit: int = PROFILE_SHOWN) -> tuple[list[ListedItem], bool]:
    """The newest ``limit`` items of a member's record the viewer may see, and whether there are more."""
    items = db.session.scalars(items_visible_to(viewer, owner_id).options(*LISTED_LINKS).limit(limit + 1)).all()
    return with_authors(list(items[:limit])), len(items) > limit


_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{1,10})")


def parse_cursor(value: str | None) -> tuple[date, int] | None:
    """The ``?after=`` of a list page ("2025-03-14_123"): the last item's sort key; raises ValueError if malformed."""
    if not value:
        return None
    match = _CURSOR.fullmatch(value)
    if match is None:
        raise ValueError(value)
    return date.fromisoformat(match.group(1)), int(match.group(2))


def cursor_of(item: ScholarlyItem) -> str:
    day, item_id = sort_key(item)
    return f"{day.isoformat()}_{item_id}"


def items_page(viewer, owner_id: int, after: tuple[date, int] | None,
               limit: int = PAGE_SIZE) -> tuple[list[ListedItem], str | None]:
    """A page of a member's record as the viewer may see it, after the item whose sort key is ``after``, and the
    cursor of the next page (None on the last)."""
    statement = items_visible_to(viewer, owner_id).options(*LISTED_LINKS)
    if after is not None:
        listed_on, ids = NEWEST_FIRST[0][0], ScholarlyItem.id
        statement = statement.where(or_(listed_on < after[0], and_(listed_on == after[0], ids < after[1])))
    items = db.session.scalars(statement.limit(limit + 1)).all()
    more = len(items) > limit
    items = list(items[:limit])
    return with_authors(items), cursor_of(items[-1]) if more else None


def mentorship_items(viewer, mentorship_id: int, limit: int = 20) -> list[ListedItem]:
    """The items that came from a mentorship, newest first: for its two members every item that names it but
    those its owner keeps to themselves ("Only me"), since naming the mentorship shares the item with it, even
    after it ended; for anyone else, as they may see the items anywhere."""
    viewer_id = viewer_id_of(viewer)
    its_members = select(Mentorship.id).where(Mentorship.id == mentorship_id,
                                              or_(Mentorship.mentee_id == viewer_id, Mentorship.mentor_id == viewer_id))
    shared_with_the_mentorship = and_(ScholarlyItem.visibility != Visibility.PRIVATE,
                                      ScholarlyItem.mentorship_id.in_(its_members))
    items = db.session.scalars(
        select(ScholarlyItem).options(*LISTED_LINKS).where(ScholarlyItem.mentorship_id == mentorship_id,
                                    or_(item_visible_condition(viewer_id), shared_with_the_mentorship))
        .order_by(*(column.desc() for column, _ in NEWEST_FIRST)).limit(limit)).all()
    return with_authors(list(items))


def pending_for(member_id: int, limit: int = 100) -> list[tuple[ScholarlyAuthor, ScholarlyItem, str]]:
    """The author lines waiting for ``member_id`` to confirm, newest item first: (line, item, owner's name)."""
    owner = aliased(User)
    return db.session.execute(
        select(ScholarlyAuthor, ScholarlyItem, owner.name)
        .join(ScholarlyItem, ScholarlyItem.id == ScholarlyAuthor.item_id)
        .join(owner, owner.id == ScholarlyItem.owner_id)
        .where(ScholarlyAuthor.member_id == member_id, ScholarlyAuthor.confirmation == AuthorConfirmation.PENDING)
        .order_by(ScholarlyItem.created_at.desc(), ScholarlyAuthor.id.desc()).limit(limit)).all()


def own_item(owner_id: int, item_id: int) -> ScholarlyItem | None:
    """One of the member's own items (an item they co-authored is the owner's to edit)."""
    item = db.session.get(ScholarlyItem, item_id)
    return item if item is not None and item.owner_id == owner_id else None


# -- the form's choices ------------------------------------------------------------------------------------------

def mentorship_choices(owner_id: int) -> list[tuple[int, str]]:
    """The member's own research mentorships, as mentee or mentor, newest first: (id, words to show)."""
    other = aliased(User)
    rows = db.session.execute(
        select(Mentorship.id, other.name, Mentorship.started_at)
        .join(other, other.id == (Mentorship.mentee_id + Mentorship.mentor_id - owner_id))
        .where(or_(Mentorship.mentee_id == owner_id, Mentorship.mentor_id == owner_id),
               Mentorship.type == MentoringType.RESEARCH)
        .order_by(Mentorship.started_at.desc(), Mentorship.id.desc()).limit(CHOICES_SHOWN))
    return [(mentorship_id, f"Research mentorship with {name} (since {started:%B %Y})")
            for mentorship_id, name, started in rows]


def opportunity_choices(link: str, current_id: int | None = None) -> list[tuple[int, str]]:
    """The opportunities of the board an item may name for ``link`` (not taken down), newest first, and the one
    named now: (id, "Title (Organisation, Month Year)")."""
    kinds = LINK_KINDS[link]
    shown = (Opportunity.kind.in_(kinds), Opportunity.status != OpportunityStatus.REMOVED)
    columns = (Opportunity.id, Opportunity.title, Opportunity.organisation, Opportunity.starts_at,
               Opportunity.created_at)
    statement = (select(*columns).where(*shown)
                 .order_by(Opportunity.created_at.desc(), Opportunity.id.desc()).limit(CHOICES_SHOWN))
    if current_id is not None:
        # The newest, as a subquery (SQLite allows no LIMIT in a UNION's own SELECT), and the one named now.
        newest = statement.subquery()
        statement = select(*newest.c).union(select(*columns).where(Opportunity.id == current_id, *shown))
    rows = sorted(db.session.execute(statement), key=lambda row: (row.created_at, row.id), reverse=True)
    return [(row.id, ", ".join(part for part in (row.title, row.organisation,
                                                 f"{row.starts_at:%B %Y}" if row.starts_at else "") if part))
            for row in rows]


def surname_of(printed: str) -> str:
    """The family name in an author line: "Okafor AN" → "Okafor", "Müller, Hans" → "Müller", "Hans Müller" →
    "Müller"."""
    name = " ".join(printed.split())
    if "," in name:
        return name.split(",")[0].strip()
    parts = name.split(" ")
    if len(parts) > 1 and parts[-1].isupper() and len(parts[-1]) <= 3:  # "Okafor AN": initials last
        return " ".join(parts[:-1])
    return parts[-1] if parts else ""


def member_candidates(names: list[str], limit: int = 200) -> list[tuple[int, str]]:
    """Members of the directory whose name holds the family name of one of the author lines: (id, name)."""
    surnames = {surname_of(name) for name in names} - {""}
    if not surnames:
        return []
    statement = (visible_members().with_only_columns(User.id, User.name)
                 .where(or_(*(User.name.ilike(f"%{surname}%") for surname in sorted(surnames))))
                 .order_by(User.name, User.id).limit(limit))
    return [(member_id, name) for member_id, name in db.session.execute(statement)]


def duplicates_of(owner_id: int, dois: set[str], pmids: set[str], titles: set[str]) -> list:
    """The member's items (own and confirmed) with one of these DOIs, PMIDs or normalised titles, in one query."""
    conditions = [column.in_(sorted(values)) for column, values in ((ScholarlyItem.doi, dois - {""}),
                                                                    (ScholarlyItem.pmid, pmids - {""}),
                                                                    (ScholarlyItem.normalized_title, titles - {""}))
                  if values - {""}]
    if not conditions:
        return []
    return db.session.execute(items_of(owner_id).with_only_columns(
        ScholarlyItem.id, ScholarlyItem.title, ScholarlyItem.doi, ScholarlyItem.pmid, ScholarlyItem.normalized_title)
        .where(or_(*conditions))).all()
