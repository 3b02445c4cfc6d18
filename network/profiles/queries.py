"""Reads for the profile pages (the directory's own statements are in ``directory.py``): one member's
profile in one row, their photo, the people a member saved, the member with what the edit form shows,
and the vocabulary's choices on that form. Nothing here writes."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import aliased, selectinload
from wtforms import SelectChoice

from network.database import prebuilt
from network.extensions import db
from network.members.models import User
from network.profiles.directory import read_rows, visible_members, with_card_columns
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
