"""Changing scholarly records: saving an item with its authors and links, linking co-authors (who are asked to
confirm), confirming or declining, deleting, and forgetting a deleted account's record.

Services add and flush; the route commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update

from network.extensions import db
from network.members.models import MemberStatus, User
from network.mentorship.models import MentoringType, Mentorship
from network.notifications.services import notify_members, withdraw
from network.opportunities.models import Opportunity
from network.permissions import can_view_opportunity
from network.profiles.models import Visibility
from network.scholarly.models import (
    KIND_FIELDS,
    AuthorConfirmation,
    ItemKind,
    ItemStatus,
    ScholarlyAuthor,
    ScholarlyImport,
    ScholarlyItem,
)
from network.scholarly.queries import LINK_KINDS, surname_of
from network.signals import account_deleted

log = logging.getLogger(__name__)

#: The notification a member gets when an author line is linked to them.
COAUTHOR = "scholarly-coauthor"
CONFIRMATIONS_PATH = "/scholarly/confirmations"


class ScholarlyError(Exception):
    """A change that cannot be made, with the words to show."""


@dataclass
class ItemData:
    """An item's fields as a form or an import gives them."""

    kind: ItemKind
    status: ItemStatus
    title: str
    authors: list[str]
    venue: str = ""
    published_on: date | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    visibility: Visibility = Visibility.MEMBERS
    mentorship_id: int | None = None
    collaboration_id: int | None = None
    presented_at_id: int | None = None


def check_mentorship(owner: User, mentorship_id: int | None) -> None:
    """An item names only one of its owner's own research mentorships."""
    if mentorship_id is None:
        return
    mentorship = db.session.get(Mentorship, mentorship_id)
    if (mentorship is None or owner.id not in (mentorship.mentee_id, mentorship.mentor_id)
            or mentorship.type != MentoringType.RESEARCH):
        raise ScholarlyError("Choose one of your own research mentorships.")


def check_opportunity(owner: User, link: str, opportunity_id: int | None) -> None:
    """An item names only an opportunity of the board its owner may see, of the kind the link is for."""
    if opportunity_id is None:
        return
    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None or not can_view_opportunity(owner, opportunity) or opportunity.kind not in LINK_KINDS[link]:
        what = "a research collaboration" if link == "collaboration" else "a conference or workshop"
        raise ScholarlyError(f"Choose {what} from the opportunities board.")


def save_item(owner: User, item: ScholarlyItem | None, data: ItemData) -> ScholarlyItem:
    """Create (``item`` None) or change one of ``owner``'s items; the fields its kind does not use are emptied."""
    check_mentorship(owner, data.mentorship_id)
    check_opportunity(owner, "collaboration", data.collaboration_id)
    used = KIND_FIELDS[data.kind]
    check_opportunity(owner, "presented_at", data.presented_at_id if "presented_at" in used else None)
    if item is None:
        item = ScholarlyItem(owner_id=owner.id)
        db.session.add(item)
    item.kind, item.status, item.title, item.venue = data.kind, data.status, data.title, data.venue
    item.published_on, item.visibility = data.published_on, data.visibility
    for name in ("volume", "issue", "pages", "doi", "pmid"):
        setattr(item, name, getattr(data, name) if name in used else "")
    item.mentorship_id, item.collaboration_id = data.mentorship_id, data.collaboration_id
    item.presented_at_id = data.presented_at_id if "presented_at" in used else None
    _set_authors(item, owner, data.authors)
    db.session.flush()
    return item


def _set_authors(item: ScholarlyItem, owner: User, names: list[str]) -> None:
    """The author lines in order: a line whose name is unchanged keeps its link; a changed one loses it. The
    owner's own line is found by their family name when no line names them yet."""
    lines = list(item.authors)
    for position, name in enumerate(names):
        if position < len(lines):
            line = lines[position]
            if line.name != name:
                if item.id is not None and line.confirmation == AuthorConfirmation.PENDING:
                    withdraw("scholarly_item", item.id, [line.member_id])
                line.name, line.member_id, line.confirmation = name, None, None
        else:
            item.authors.append(ScholarlyAuthor(position=position, name=name))
    for line in lines[len(names):]:
        item.authors.remove(line)
    if names and not any(line.member_id == owner.id for line in item.authors):
        family = surname_of(owner.name).casefold()
        own = next((line for line in item.authors if line.member_id is None
                    and surname_of(line.name).casefold() == family), None)
        if own is not None:
            own.member_id = owner.id


def link_authors(item: ScholarlyItem, owner: User, links: dict[int, int | None]) -> list[User]:
    """Link author lines to members (``{line id: member id or None}``): the owner's own line needs no
    confirmation; any other member is asked (pending) and notified. Returns the members asked."""
    chosen = [member_id for member_id in links.values() if member_id is not None]
    if len(chosen) != len(set(chosen)):
        raise ScholarlyError("One member is linked to two author lines: link each member once.")
    members = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(chosen), User.status == MemberStatus.VERIFIED,
                              User.deleted_at.is_(None)))} if chosen else {}
    asked = []
    for line in item.authors:
        if line.id not in links or links[line.id] == line.member_id:
            continue
        new = links[line.id]
        if line.member_id is not None and line.member_id != owner.id:
            withdraw("scholarly_item", item.id, [line.member_id])
        if new is None:
            line.member_id, line.confirmation = None, None
        elif new not in members:
            raise ScholarlyError(f"“{line.name}” can only be linked to a member of the directory.")
        elif new == owner.id:
            line.member_id, line.confirmation = owner.id, None
        else:
            line.member_id, line.confirmation = new, AuthorConfirmation.PENDING
            asked.append(members[new])
    db.session.flush()
    ask_to_confirm(owner, item, asked)
    return asked


def ask_to_confirm(owner: User, item: ScholarlyItem, asked: list[User]) -> None:
    """Tell the members newly named on ``item``'s author lines that ``owner`` asks them to confirm."""
    if asked:
        title = f"{owner.name} lists you as a co-author of “{item.title}”"
        notify_members(asked, COAUTHOR, title, CONFIRMATIONS_PATH, target_type="scholarly_item", target_id=item.id,
                       mail_subject=f"{owner.name} lists you as a co-author", mail_template="mentorship_event",
                       body="Confirm it, and it shows on your profile too; or decline it.")


def answer(line: ScholarlyAuthor, member: User, confirmed: bool) -> None:
    """The co-author named on ``line`` confirms it (the item joins their record) or declines it."""
    if line.member_id != member.id or line.confirmation is None:
        raise ScholarlyError("This author line is not waiting for your answer.")
    line.confirmation = AuthorConfirmation.CONFIRMED if confirmed else AuthorConfirmation.DECLINED
    withdraw("scholarly_item", line.item_id, [member.id])
    log.info("co-author line %s %s by %s", line.id, line.confirmation.value, member.id)


def delete_item(item: ScholarlyItem) -> None:
    """Delete an item with its author lines, and the questions its co-authors have not answered yet."""
    pending = [line.member_id for line in item.authors if line.confirmation == AuthorConfirmation.PENDING]
    withdraw("scholarly_item", item.id, pending)
    db.session.delete(item)


@account_deleted.connect
def _forget_record(user: User, **_details) -> None:
    """A deleted account takes its items (their author lines go with them) and staged imports; its lines on
    other members' items stay as printed, linked to nobody (``signals.account_deleted``)."""
    db.session.execute(delete(ScholarlyItem).where(ScholarlyItem.owner_id == user.id))
    db.session.execute(delete(ScholarlyImport).where(ScholarlyImport.owner_id == user.id))
    db.session.execute(update(ScholarlyAuthor).where(ScholarlyAuthor.member_id == user.id)
                       .values(member_id=None, confirmation=None))
