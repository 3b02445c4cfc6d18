"""Demo scholarly records: the demo director's publications, grant, role and a workshop taught; the demo alumna's
fellowship year (a research mentorship with the director, an article, a poster, grand rounds, a QI project, and an
abstract co-authored with the director presented at a demo conference after she graduated, so it lies outside her
fellowship year); the demo fellow's case report from residency and a review in preparation.

Dates sit in the academic years 2024–25 and 2025–26, except that abstract. Each item was entered on the network
ten days after its date, as a member keeping their record up would, except the fellow's case report: entered this
academic year though dated the year before, so this year's ADS export has an item to flag.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.mentorship.models import MentoringType, Mentorship, MentorshipStatus
from network.notifications.models import Notification
from network.opportunities.models import Opportunity
from network.profiles.models import Visibility
from network.scholarly.models import (
    AuthorConfirmation,
    ItemKind,
    ItemStatus,
    ScholarlyAuthor,
    ScholarlyItem,
    academic_year_of,
)
from network.scholarly.services import COAUTHOR, ask_to_confirm
from network.types import utcnow

K, S = ItemKind, ItemStatus


def _item(owner: User, kind, status, title, venue, day, authors, entered: datetime | None = None,
          **fields) -> ScholarlyItem:
    """An item with its author lines: (printed name, member or None, confirmation or None), entered on the
    network on ``entered`` (by default ten days after its date, and never later than now)."""
    now = utcnow()
    if entered is None:
        entered = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(days=10) if day else now
    item = ScholarlyItem(owner_id=owner.id, kind=kind, status=status, title=title, venue=venue, published_on=day,
                         created_at=min(entered, now), updated_at=min(entered, now), **fields)
    item.authors = [ScholarlyAuthor(position=n, name=name, member_id=member.id if member else None,
                                    confirmation=answer) for n, (name, member, answer) in enumerate(authors)]
    db.session.add(item)
    return item


def _research_mentorship(mentee: User, mentor: User) -> Mentorship:
    """The alumna's research mentorship with the director during her fellowship year (completed)."""
    found = db.session.scalar(select(Mentorship).where(Mentorship.mentee_id == mentee.id,
                                                       Mentorship.mentor_id == mentor.id,
                                                       Mentorship.type == MentoringType.RESEARCH))
    if found is None:
        found = Mentorship(mentee_id=mentee.id, mentor_id=mentor.id, type=MentoringType.RESEARCH,
                           status=MentorshipStatus.COMPLETED, started_at=datetime(2025, 8, 18, 14, tzinfo=UTC),
                           ended_at=datetime(2026, 6, 19, 14, tzinfo=UTC), cadence_days=21, length_months=10,
                           expectations="A retrospective cohort from idea to abstract within the fellowship year.",
                           rating=5, closing_comment="From a question to a presented abstract in ten months.")
        db.session.add(found)
        db.session.flush()
    return found


def seed_scholarly() -> int:
    """Idempotent: does nothing once any item exists, or without the demo members. Returns the items made."""
    if db.session.scalar(select(ScholarlyItem.id).limit(1)) is not None:
        return 0
    by_email = {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(
        ["faculty@example.org", "alumni@example.org", "fellow@example.org"])))}
    director, alumna, fellow = (by_email.get(e) for e in ("faculty@example.org", "alumni@example.org",
                                                          "fellow@example.org"))
    if not (director and alumna and fellow):
        return 0
    events = {o.title: o for o in db.session.scalars(select(Opportunity))}
    congress = events.get("Pain Psychology Congress (past)")
    cadaver = events.get("Cadaver course: spinal cord stimulator trial and implant")
    registry = next((o for o in events.values() if o.kind.value == "research"), None)
    confirmed, pending = AuthorConfirmation.CONFIRMED, AuthorConfirmation.PENDING
    made = [
        # The director: AY 2024–25 and 2025–26.
        _item(director, K.ARTICLE, S.PUBLISHED,
              "Dorsal root ganglion stimulation for chronic groin pain after hernia repair: a prospective series",
              "Pain Medicine", date(2024, 10, 14), [("Raman P", director, None), ("Whitfield JD", None, None),
                                                    ("Nguyễn TL", None, None)],
              volume="25", issue="10", pages="612-619", doi="10.1093/pm/pnae081", pmid="39211457"),
        _item(director, K.REVIEW, S.PUBLISHED, "Ultrasound-guided genicular nerve blocks: anatomy and technique",
              "Regional Anesthesia & Pain Medicine", date(2025, 5, 2),
              [("Müller HP", None, None), ("Raman P", director, None), ("Asante K", fellow, pending)],
              volume="50", issue="5", pages="388-395", doi="10.1136/rapm-2024-105912", pmid="39876543"),
        _item(director, K.CHAPTER, S.PUBLISHED, "Spinal cord stimulation: patient selection and trialing",
              "Essentials of Interventional Pain Medicine, 3rd ed. Northbridge Academic Press", date(2025, 1, 20),
              [("Raman P", director, None)], pages="211-230"),
        _item(director, K.GRANT, S.ACCEPTED, "Pragmatic trial of opioid tapering support in primary care",
              "Foundation for Pain Research, junior investigator award", date(2024, 7, 1),
              [("Raman P", director, None)]),
        _item(director, K.ROLE, S.ACCEPTED, "Associate editor", "Pain Medicine Case Reports", date(2024, 7, 1),
              [("Raman P", director, None)]),
        _item(director, K.WORKSHOP, S.PRESENTED, "Spinal cord stimulator trial lead placement, hands-on station",
              "Northbridge Simulation Center", date(2026, 3, 7), [("Raman P", director, None)],
              presented_at_id=cadaver.id if cadaver else None),
        # The alumna's fellowship year (2025–26) ...
        _item(alumna, K.ARTICLE, S.PUBLISHED,
              "Genicular nerve radiofrequency ablation after total knee arthroplasty: a retrospective cohort",
              "Pain Medicine", date(2026, 3, 16), [("Martins S", alumna, None), ("Ñúñez JM", None, None),
                                                   ("Raman P", director, confirmed)],
              volume="27", issue="3", pages="145-152", doi="10.1093/pm/pnae123", pmid="38912345",
              collaboration_id=registry.id if registry else None),
        _item(alumna, K.POSTER, S.PRESENTED, "Sleep quality after genicular nerve ablation: early results",
              "ASRA Pain Medicine Annual Meeting", date(2025, 11, 21), [("Martins S", alumna, None),
                                                                        ("Raman P", director, confirmed)]),
        _item(alumna, K.GRAND_ROUNDS, S.PRESENTED, "Chronic post-surgical pain: who is at risk, and what helps",
              "Northbridge University Hospital, Department of Anesthesiology", date(2026, 2, 11),
              [("Martins S", alumna, None)]),
        _item(alumna, K.QI_PROJECT, S.PRESENTED, "Naloxone co-prescribing at discharge from the pain clinic",
              "Northbridge Pain Clinic", date(2025, 9, 1), [("Martins S", alumna, None)],
              visibility=Visibility.CONNECTED),
        # ... and the one presented after it: outside the year it is listed for.
        _item(alumna, K.ABSTRACT, S.PRESENTED,
              "Pain catastrophizing and opioid tapering after genicular nerve ablation",
              "Pain Psychology Congress", (congress.starts_at.date() if congress and congress.starts_at
                                           else date(2026, 11, 20)),
              [("Martins S", alumna, None), ("Okafor AN", None, None), ("Raman P", director, confirmed)],
              mentorship_id=_research_mentorship(alumna, director).id,
              presented_at_id=congress.id if congress else None),
        # The fellow: a case report from residency, a review in preparation (private until it is submitted).
        _item(fellow, K.CASE_REPORT, S.PUBLISHED,
              "Erector spinae plane block for multiple rib fractures in an older adult",
              "Pain Medicine Case Reports", date(2025, 11, 5), [("Asante K", fellow, None), ("Brennan M", None, None)],
              volume="9", issue="6", pages="e112-e114", doi="10.36076/pmcr.2025.9.e112", pmid="40123456",
              entered=datetime(academic_year_of(date.today()), 9, 1, 9, tzinfo=UTC)),
        _item(fellow, K.REVIEW, S.IN_PREPARATION, "Basivertebral nerve ablation: a narrative review", "", None,
              [("Asante K", fellow, None), ("Raman P", None, None)], visibility=Visibility.PRIVATE),
    ]
    db.session.flush()
    return len(made)


def ask_the_co_author() -> None:
    """The director's review names the fellow, who has not answered yet: he is asked, as the authors' form asks
    (after the other areas' notifications, which the demo makes only while there are none; once)."""
    review = db.session.scalar(select(ScholarlyItem).where(ScholarlyItem.kind == K.REVIEW,
                                                           ScholarlyItem.title.like("Ultrasound-guided genicular%")))
    line = review and next((line for line in review.authors
                            if line.confirmation == AuthorConfirmation.PENDING), None)
    if line is None or db.session.scalar(select(Notification.id).where(
            Notification.kind == COAUTHOR, Notification.user_id == line.member_id)):
        return
    ask_to_confirm(db.session.get(User, review.owner_id), review, [db.session.get(User, line.member_id)])
