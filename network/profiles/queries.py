"""Reads for the profile pages and the API (the directory's own statements are in ``directory.py``): one
member's profile in one row and as a viewer may see it, the directory as keyset pages, their photo, the people
a member saved, the member with what the edit form shows, and the vocabulary's choices on that form. Nothing
here writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import Float, Integer, bindparam, cast, func, literal, select
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from wtforms import SelectChoice

from network.database import prebuilt
from network.extensions import db
from network.members.models import User
from network.permissions import can_see
from network.profiles.directory import (
    Card,
    DirectoryQuery,
    directory_filters,
    load_cards,
    read_rows,
    visible_members,
    with_card_columns,
)
from network.profiles.models import Profile, SavedMember
from network.taxonomy.models import PracticeSetting

#: What the profile page shows beyond a card, as columns of the same one-row query.
_practice_setting = aliased(PracticeSetting, name="practice_setting")
PROFILE_COLUMNS = (User.email, Profile.user_id.label("profile_id"), Profile.bio, Profile.career_goal,
                   Profile.graduation_year, Profile.current_position, _practice_setting.name.label("practice_setting"),
                   Profile.title, Profile.academic_rank, Profile.languages, Profile.links,
                   Profile.email_visibility, Profile.links_visibility)
#: How many saved people the saved page lists.
SAVED_SHOWN = 200


@prebuilt
def _profile_statement():
    """A visible member's card and profile columns, in one row."""
    return (with_card_columns(visible_members(), *PROFILE_COLUMNS)
            .outerjoin(_practice_setting, _practice_setting.id == Profile.practice_setting_id)
            .where(User.id == bindparam("user_id", type_=Integer)))


def profile_row(user_id: int):
    """A visible member's card and profile columns as one plain row, None when there is no such member."""
    return read_rows(_profile_statement(), {"user_id": user_id}).first()


class ProfileView(NamedTuple):
    """A member's profile as one viewer may see it."""

    member: object  # the ``profile_row``
    card: Card  # with the location only where the viewer may see it
    shown: dict[str, bool]  # "email", "links": whether the viewer may see them


def profile_view(user_id: int, viewer_id: int) -> ProfileView | None:
    """A visible member's profile as ``viewer_id`` may see it (the profile page's and the API's), None when
    there is no such member. A member without a profile has no privacy levels: nothing of theirs is shown."""
    member = profile_row(user_id)
    if member is None:
        return None
    card = load_cards([member], viewer_id, certifications=True)[0]

    def visible(level) -> bool:
        return level is not None and can_see(level, viewer_id=viewer_id, owner_id=member.id,
                                             connected=card.connected)

    return ProfileView(member, card, {"email": visible(member.email_visibility),
                                      "links": visible(member.links_visibility)})


#: Where a member never seen sorts in "recently active": after everyone seen, as the page's NULLS LAST.
NEVER_SEEN = datetime(1970, 1, 1, tzinfo=UTC)


def directory_keys(query: DirectoryQuery, viewer_id: int, dialect: str):
    """The directory's members for keyset pages (the API): (statement, keys), the statement selecting card rows
    with each key as ``key_<n>``, the keys being the page's order as (expression, descending) pairs that are
    never NULL, so a cursor can name the last row sent and the next page start after it."""
    statement, rank = directory_filters(query, viewer_id, dialect)
    if query.sort == "active":
        keys = [(func.coalesce(User.last_seen_at, literal(NEVER_SEEN, User.last_seen_at.type)), True),
                (User.id, True)]
    elif query.sort == "relevance" and rank is not None:
        # ``search.match`` orders PostgreSQL by "ts_rank DESC" and SQLite by bm25 (lower is better). The rank as
        # a double: PostgreSQL's real would round on its way through a cursor and no longer equal itself.
        descending = isinstance(rank, UnaryExpression) and rank.modifier is operators.desc_op
        keys = [(cast(rank.element if descending else rank, Float), descending), (User.name, False),
                (User.id, False)]
    else:
        keys = [(User.name, False), (User.id, False)]
    return with_card_columns(statement, *(key.label(f"key_{n}") for n, (key, _) in enumerate(keys))), keys


def photo_of(user_id: int) -> bytes | None:
    """A visible member's thumbnail, None when there is no such member or they have no photo."""
    return db.session.scalar(visible_members().with_only_columns(Profile.photo)
                             .where(User.id == user_id, Profile.photo.is_not(None)))


def saved_member_rows(owner_id: int) -> list:
    """The card rows of the people ``owner_id`` saved, most recent first."""
    return read_rows(
        with_card_columns(visible_members())
        .join(SavedMember, SavedMember.member_id == User.id)
        .where(SavedMember.owner_id == owner_id)
        .order_by(SavedMember.created_at.desc(), SavedMember.id.desc())
        .limit(SAVED_SHOWN)
    ).all()


def member_to_edit(user_id: int) -> User:
    """The member with their profile's interests and certifications, as the edit form shows them."""
    return db.session.scalars(
        select(User).where(User.id == user_id)
        .options(selectinload(User.profile).selectinload(Profile.interests),
                 selectinload(User.profile).selectinload(Profile.certifications))).one()


def term_choices(model, selected_ids, blank: str | None = "—") -> list[SelectChoice]:
    """Active terms, plus retired ones the member already has (retiring keeps existing data)."""
    terms = db.session.scalars(select(model).where(
        (model.retired_at.is_(None)) | (model.id.in_([i for i in selected_ids if i])))
        .order_by(model.position, model.name)).all()
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(t.id, t.name + (" (retired)" if t.retired_at else "")) for t in terms]


def terms_by_ids(model, ids) -> list:
    """The terms of ``model`` with those ids (an id named twice gives the term once)."""
    return db.session.scalars(select(model).where(model.id.in_(ids))).all()
