"""The profile every member has, the people they saved, and who may see what."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, object_session, relationship

from network import search
from network.database import association_table
from network.extensions import db
from network.members.models import Role, User
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty
from network.text.markdown import markdown_to_text
from network.types import LabelledEnum, enum_column, intpk, member_fk, member_pk, utc_now, utc_updated


class Visibility(LabelledEnum):
    MEMBERS = "members", "All verified members"
    CONNECTED = "connected", "My mentors, mentees and program"  # the people of all my programs
    PRIVATE = "private", "Only me"


class CareerGoal(LabelledEnum):
    ACADEMIC = "academic", "Academic medicine"
    PRIVATE_PRACTICE = "private_practice", "Private practice"
    RESEARCH = "research", "Research"
    UNDECIDED = "undecided", "Undecided"


class AcademicRank(LabelledEnum):
    INSTRUCTOR = "instructor", "Instructor"
    ASSISTANT = "assistant_professor", "Assistant professor"
    ASSOCIATE = "associate_professor", "Associate professor"
    PROFESSOR = "professor", "Professor"
    CLINICAL = "clinical_faculty", "Clinical faculty"


#: Each role's own part of the profile: the edit form asks, and the profile page and the API show, only the
#: member's current role's (what a fellow wrote stays stored, unshown, once they are alumni).
ROLE_FIELDS = {
    Role.FELLOW: ("career_goal",),
    Role.ALUMNI: ("graduation_year", "current_position", "practice_setting_id"),
    Role.FACULTY: ("title", "academic_rank"),
    Role.ADMIN: (),
}

profile_interest = association_table("profile_interest", ("profile_id", "profile.user_id"),
                                     ("interest_id", "interest.id"))

profile_certification = association_table("profile_certification", ("profile_id", "profile.user_id"),
                                          ("certification_id", "board_certification.id"))


class Profile(db.Model):
    __tablename__ = "profile"

    user_id: Mapped[member_pk]
    headline: Mapped[str] = mapped_column(String(160), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    primary_specialty_id: Mapped[int | None] = mapped_column(ForeignKey("specialty.id"), index=True)
    institution: Mapped[str] = mapped_column(String(160), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="", index=True)
    country: Mapped[str] = mapped_column(String(2), default="", index=True)  # ISO 3166-1 alpha-2
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    languages: Mapped[str] = mapped_column(String(200), default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    # Fellows
    career_goal: Mapped[CareerGoal | None] = mapped_column(enum_column(CareerGoal, "career_goal"))
    # Alumni
    graduation_year: Mapped[int | None] = mapped_column(index=True)
    current_position: Mapped[str] = mapped_column(String(160), default="")
    practice_setting_id: Mapped[int | None] = mapped_column(ForeignKey("practice_setting.id"), index=True)
    # Faculty
    title: Mapped[str] = mapped_column(String(120), default="")
    academic_rank: Mapped[AcademicRank | None] = mapped_column(enum_column(AcademicRank, "academic_rank"))
    accepting_mentees: Mapped[bool] = mapped_column(default=False, index=True)
    # Privacy of contact details and location.
    email_visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "email_visibility"),
                                                         default=Visibility.CONNECTED)
    links_visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "links_visibility"),
                                                         default=Visibility.MEMBERS)
    location_visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "location_visibility"),
                                                            default=Visibility.MEMBERS)
    # A square JPEG thumbnail re-encoded from the upload; the original bytes are never kept.
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    photo_version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[utc_updated]
    # Counts saves of the edit form; the form carries the number it was opened at (edit conflicts).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    user: Mapped[User] = relationship(back_populates="profile")
    primary_specialty: Mapped[Specialty | None] = relationship()
    practice_setting: Mapped[PracticeSetting | None] = relationship()
    interests: Mapped[list[Interest]] = relationship(secondary=profile_interest, order_by=Interest.name)
    certifications: Mapped[list[BoardCertification]] = relationship(secondary=profile_certification,
                                                                    order_by=BoardCertification.name)

    @property
    def has_photo(self) -> bool:
        return (self.photo_version or 0) > 0

    @classmethod
    def claim_version(cls, user_id: int, expected: int) -> bool:
        """Move the profile from version ``expected`` to the next in one conditional UPDATE; False when
        another save got there first (the row lock makes the second of two concurrent saves see 0 rows)."""
        if expected == 0:  # the form was opened before the profile existed
            return db.session.get(cls, user_id) is None
        result = db.session.execute(update(cls).where(cls.user_id == user_id, cls.version == expected)
                                    .values(version=cls.version + 1).execution_options(synchronize_session="fetch"))
        return result.rowcount == 1



def search_document(profile: Profile) -> tuple[str]:
    """The words the directory searches: name, headline, bio, institution, position, title, specialty, interests."""
    # By id (from the identity map, mostly): the form sets the specialty's id, so the relationship may still
    # hold the one read before; and a profile made with a ``user_id`` has no ``user`` until it is read again.
    session = object_session(profile)
    specialty = profile.primary_specialty_id and session.get(Specialty, profile.primary_specialty_id)
    parts = [session.get(User, profile.user_id).name, profile.headline, markdown_to_text(profile.bio),
             profile.institution, profile.current_position, profile.title, specialty.name if specialty else ""]
    parts += [interest.name for interest in profile.interests]
    return ("\n".join(part for part in parts if part),)


def _findable(profile: Profile) -> bool:
    """Only members the directory shows are indexed, so a word search can rank inside the index."""
    user = object_session(profile).get(User, profile.user_id)
    return user.is_verified and user.deleted_at is None


#: The member columns that decide whether, and by which name, a member is found in the directory: the
#: index, the cached word-search rankings and the hook that gives an admitted member a profile read them.
MEMBER_FINDABILITY = ("name", "status", "deleted_at")

search.register(search.Indexed(
    Profile, fts_table="profile_fts", key="user_id", document=search_document, listed=_findable,
    watch=("headline", "bio", "institution", "current_position", "title", "primary_specialty_id",
           "primary_specialty", "interests"),
    depends_on=(
        search.Related(User, MEMBER_FINDABILITY, lambda users: [user.id for user in users]),
        search.Related(Interest, ("name",), lambda terms: select(profile_interest.c.profile_id).where(
            profile_interest.c.interest_id.in_([term.id for term in terms]))),
        search.Related(Specialty, ("name",), lambda terms: select(Profile.user_id).where(
            Profile.primary_specialty_id.in_([term.id for term in terms]))),
    ),
    load=("user", "interests")))


class SavedMember(db.Model):
    """A member another member bookmarked."""

    __tablename__ = "saved_member"
    __table_args__ = (UniqueConstraint("owner_id", "member_id"),)

    id: Mapped[intpk]
    owner_id: Mapped[member_fk]
    member_id: Mapped[member_fk]
    created_at: Mapped[utc_now]

    member: Mapped[User] = relationship(foreign_keys="SavedMember.member_id")
