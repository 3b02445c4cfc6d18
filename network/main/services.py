"""What the signed-in home page reads about the member's own profile."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Integer, bindparam, select

from network.database import prebuilt
from network.extensions import db
from network.members.models import User
from network.profiles.models import Profile, profile_interest
from network.taxonomy.models import Specialty

#: The profile's columns ``profiles.services.completeness`` reads (its ``interests`` are added as a list of
#: ids), and whether the member offers mentoring (the mentoring card asks).
PROFILE_FACTS = ("photo_version", "headline", "bio", "primary_specialty_id", "institution", "city", "country",
                 "time_zone", "languages", "career_goal", "graduation_year", "current_position",
                 "practice_setting_id", "title", "academic_rank", "accepting_mentees")


@dataclass(frozen=True)
class OwnProfile:
    training_background: str | None  # the name of the specialty the member trained in first
    profile: SimpleNamespace | None  # the ``PROFILE_FACTS`` and ``interests``; None before the first edit


def own_profile(user: User) -> OwnProfile:
    """The member's training background and profile facts, in one query of plain rows (one per interest): the
    page shows a completeness meter, not the profile, so neither the ORM's entities nor the profile's text
    columns (search document, links) are loaded."""
    rows = db.session.connection().execute(_own_profile_statement(), {"member": user.id}).all()
    first = rows[0]
    if first.user_id is None:
        return OwnProfile(first.training_background, None)
    facts = {name: getattr(first, name) for name in PROFILE_FACTS}
    interests = [row.interest_id for row in rows if row.interest_id is not None]
    return OwnProfile(first.training_background, SimpleNamespace(**facts, interests=interests))


@prebuilt
def _own_profile_statement():
    """Built once, the member as a parameter: every home page view runs it."""
    return (select(Specialty.name.label("training_background"), Profile.user_id,
                   *(getattr(Profile, name) for name in PROFILE_FACTS), profile_interest.c.interest_id)
            .select_from(User)
            .outerjoin(Specialty, Specialty.id == User.training_background_id)
            .outerjoin(Profile, Profile.user_id == User.id)
            .outerjoin(profile_interest, profile_interest.c.profile_id == Profile.user_id)
            .where(User.id == bindparam("member", type_=Integer)))
