"""Profile services: they change the session's objects and never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import generate_password_hash

from network import search
from network.audit.models import record
from network.extensions import db
from network.members.models import Registration, Role, User
from network.profiles.models import Profile, SavedMember
from network.profiles.photos import make_thumbnail
from network.programs.models import Cohort, CohortMembership
from network.signals import account_deleted
from network.types import utcnow
from network.urls import public_url

#: How stale "last seen" may get before a request refreshes it (one write per member per window).
LAST_SEEN_WINDOW = timedelta(minutes=10)


class CannotSaveSelf(Exception):
    """A member tried to bookmark themselves."""


def profile_of(user: User) -> Profile:
    """The member's profile, created empty the first time it is needed."""
    if user.profile is None:
        user.profile = Profile(user_id=user.id)
        db.session.add(user.profile)
        db.session.flush()
    return user.profile


def update_profile(user: User, *, name: str, interests: list, certifications: list, **fields) -> Profile:
    """Apply the edit form's values (the flush reindexes the member)."""
    profile = profile_of(user)
    user.name = name
    for key, value in fields.items():
        setattr(profile, key, value)
    profile.interests = list(interests)
    profile.certifications = list(certifications)
    profile.updated_at = utcnow()
    db.session.flush()
    return profile


def set_photo(user: User, upload: bytes) -> None:
    """Replace the photo with a re-encoded thumbnail of ``upload`` (InvalidImage if it is not one)."""
    profile = profile_of(user)
    profile.photo = make_thumbnail(upload)
    profile.photo_version += 1


def remove_photo(user: User) -> None:
    profile = profile_of(user)
    profile.photo = None
    profile.photo_version = 0


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


def completeness(user: User, profile: Profile | None) -> Completeness:
    """How complete a profile is, and what is missing, in the member's words."""
    p = profile or Profile(photo_version=0, interests=[])
    checks = [
        ("a photo", (p.photo_version or 0) > 0),
        ("a headline", bool(p.headline)),
        ("a short bio", bool(p.bio)),
        ("your primary specialty", p.primary_specialty_id is not None),
        ("your training background", user.training_background_id is not None),
        ("at least three interests", len(p.interests or []) >= 3),
        ("your institution", bool(p.institution)),
        ("your city and country", bool(p.city and p.country)),
        ("your time zone", bool(p.time_zone)),
        ("the languages you speak", bool(p.languages)),
    ]
    if user.role == Role.FELLOW:
        checks.append(("your career goal", p.career_goal is not None))
    elif user.role == Role.ALUMNI:
        checks += [("your graduation year", p.graduation_year is not None),
                   ("your current position", bool(p.current_position)),
                   ("your practice setting", p.practice_setting_id is not None)]
    elif user.role == Role.FACULTY:
        checks += [("your title", bool(p.title)), ("your academic rank", p.academic_rank is not None)]
    done = sum(1 for _, ok in checks if ok)
    return Completeness(round(100 * done / len(checks)), [label for label, ok in checks if not ok])


def save_member(owner: User, member: User) -> bool:
    """Bookmark ``member``; False if already saved."""
    if owner.id == member.id:
        raise CannotSaveSelf()
    exists = db.session.scalar(select(SavedMember.id).where(SavedMember.owner_id == owner.id,
                                                              SavedMember.member_id == member.id))
    if exists:
        return False
    db.session.add(SavedMember(owner_id=owner.id, member_id=member.id))
    return True


def unsave_member(owner: User, member: User) -> None:
    db.session.execute(delete(SavedMember).where(SavedMember.owner_id == owner.id,
                                                 SavedMember.member_id == member.id))


def touch_last_seen(user: User) -> bool:
    """Refresh "last seen" if it is older than the window; True when a write is due."""
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < LAST_SEEN_WINDOW:
        return False
    user.last_seen_at = now
    return True


def export_data(user: User) -> dict:
    """Everything the network keeps about the member, as plain data."""
    profile = db.session.scalars(
        select(Profile).where(Profile.user_id == user.id)
        .options(selectinload(Profile.interests), selectinload(Profile.certifications))
    ).first()
    memberships = db.session.execute(
        select(CohortMembership, Cohort).join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(CohortMembership.user_id == user.id).options(joinedload(Cohort.program))
    ).all()
    saved = db.session.scalars(select(SavedMember).where(SavedMember.owner_id == user.id)
                               .options(selectinload(SavedMember.member))).all()

    def when(value):
        return value.isoformat() if value else None

    data = {
        "account": {"id": user.id, "name": user.name, "email": user.email, "role": user.role.value,
                    "status": user.status.value, "created_at": when(user.created_at),
                    "email_confirmed_at": when(user.email_confirmed_at), "verified_at": when(user.verified_at),
                    "last_login_at": when(user.last_login_at),
                    "training_background": user.training_background.name if user.training_background else None},
        "profile": None,
        "cohorts": [{"program": cohort.program.name, "cohort": cohort.name, "role": membership.role.value}
                    for membership, cohort in memberships],
        # Saved people: only what any member may see of them, never their hidden fields.
        "saved_members": [{"name": s.member.name, "profile": public_url("profiles.show", user_id=s.member_id),
                           "saved_at": when(s.created_at)} for s in saved],
    }
    if profile is not None:
        data["profile"] = {
            "headline": profile.headline, "bio": profile.bio,
            "primary_specialty": profile.primary_specialty.name if profile.primary_specialty else None,
            "institution": profile.institution, "city": profile.city, "region": profile.region,
            "country": profile.country, "time_zone": profile.time_zone, "languages": profile.languages,
            "links": profile.links, "career_goal": profile.career_goal.value if profile.career_goal else None,
            "graduation_year": profile.graduation_year, "current_position": profile.current_position,
            "practice_setting": profile.practice_setting.name if profile.practice_setting else None,
            "title": profile.title,
            "academic_rank": profile.academic_rank.value if profile.academic_rank else None,
            "accepting_mentees": profile.accepting_mentees,
            "interests": [i.name for i in profile.interests],
            "board_certifications": [c.name for c in profile.certifications],
            "visibility": {"email": profile.email_visibility.value, "links": profile.links_visibility.value,
                           "location": profile.location_visibility.value},
            "has_photo": profile.has_photo,
        }
    return data


def delete_account(user: User) -> None:
    """Erase the member's personal data; the row stays so their posts show a "former member"."""
    record(user.id, "member.delete-self", "user", user.id, role=user.role.value)
    account_deleted.send(user)
    search.drop(db.session, Profile, [user.id])  # a Core delete: the flush hook would not see it
    db.session.execute(delete(Profile).where(Profile.user_id == user.id))
    db.session.execute(delete(SavedMember).where((SavedMember.owner_id == user.id) |
                                                 (SavedMember.member_id == user.id)))
    db.session.execute(delete(CohortMembership).where(CohortMembership.user_id == user.id))
    db.session.execute(delete(Registration).where(Registration.user_id == user.id))
    db.session.expire(user, ["profile", "registration"])
    user.name = "Former member"
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    user.training_background_id = None
    user.last_login_at = user.last_seen_at = None
    user.deleted_at = utcnow()
    user.end_other_sessions()
