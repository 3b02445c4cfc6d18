"""Demo opportunities: 40+ jobs, locums, fellowship positions, research collaborations, conferences,
workshops and webinars, some already past, with a few bookmarks, interests and RSVPs.

Each is found by its title before it is made, so seeding twice changes nothing. Dates are relative to
the day of seeding, so a fresh demo always has current and archived items.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.opportunities.models import (
    Bookmark,
    EmploymentType,
    ExpressionOfInterest,
    IrbStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    ProjectStage,
    Rsvp,
    RsvpStatus,
    WorkMode,
)
from network.taxonomy.models import Interest, PracticeSetting, Specialty
from network.types import utcnow

K = OpportunityKind

# (kind, title, organisation, location, zone, work mode, interests, days until deadline (None: none),
#  extra fields). Negative days: already past, in the archive.
JOBS = [
    (K.JOB, "Interventional pain physician, growing private practice", "Lone Star Interventional Pain",
     "Austin, TX", "America/Chicago", WorkMode.ONSITE,
     ["Interventional spine", "Neuromodulation / spinal cord stimulation", "Radiofrequency ablation"], 45,
     dict(setting="private-practice", employment=EmploymentType.FULL_TIME, salary=(450_000, 600_000))),
    (K.JOB, "Academic pain medicine faculty, cancer pain focus", "Northbridge University Hospital", "Boston, MA",
     "America/New_York", WorkMode.ONSITE, ["Cancer pain", "Palliative care", "Intrathecal drug delivery"], 60,
     dict(setting="academic", employment=EmploymentType.FULL_TIME, salary=(380_000, 460_000))),
    (K.JOB, "Pain physician, VA medical center", "Central Texas VA Health Care", "Temple, TX", "America/Chicago",
     WorkMode.ONSITE, ["Opioid stewardship", "Musculoskeletal pain", "Pain psychology"], 30,
     dict(setting="va-military", employment=EmploymentType.FULL_TIME, salary=(330_000, 410_000))),
    (K.JOB, "Hospital-employed pain physician, multidisciplinary clinic", "Lakeshore Health System",
     "Chicago, IL", "America/Chicago", WorkMode.HYBRID, ["Pain psychology", "Addiction medicine", "Telemedicine"],
     21, dict(setting="hospital-employed", employment=EmploymentType.FULL_TIME, salary=(400_000, 480_000))),
    (K.JOB, "Part-time headache and facial pain specialist", "Cascade Neurology & Pain", "Portland, OR",
     "America/Los_Angeles", WorkMode.HYBRID, ["Headache and facial pain", "Peripheral nerve stimulation"], 35,
     dict(setting="private-practice", employment=EmploymentType.PART_TIME, salary=None)),
    (K.JOB, "Pediatric pain physician", "Children's Hospital of the Rockies", "Denver, CO", "America/Denver",
     WorkMode.ONSITE, ["Pediatric pain", "Pain psychology", "Ultrasound-guided nerve blocks"], 50,
     dict(setting="academic", employment=EmploymentType.FULL_TIME, salary=(350_000, 420_000))),
    (K.JOB, "Telehealth pain management consultant", "CareBridge Virtual Pain", "", "America/New_York",
     WorkMode.REMOTE, ["Telemedicine", "Opioid stewardship"], None,
     dict(setting="other", employment=EmploymentType.CONTRACT, salary=(180_000, 240_000))),
    (K.JOB, "Spine and pain physician (filled)", "Gulf Coast Spine Institute", "Houston, TX", "America/Chicago",
     WorkMode.ONSITE, ["Minimally invasive spine procedures", "Interventional spine"], -20,
     dict(setting="private-practice", employment=EmploymentType.FULL_TIME, salary=(500_000, 700_000))),
    (K.JOB, "Regenerative medicine and sports pain physician", "Peak Performance Orthopedics", "Boulder, CO",
     "America/Denver", WorkMode.ONSITE, ["Regenerative medicine", "Sports medicine", "Musculoskeletal pain"], -5,
     dict(setting="private-practice", employment=EmploymentType.FULL_TIME, salary=None)),
    (K.LOCUM, "Locum pain physician, 3-month coverage", "Sierra Vista Health", "Austin, TX", "America/Chicago",
     WorkMode.ONSITE, ["Interventional spine", "Radiofrequency ablation"], 14,
     dict(setting="hospital-employed", employment=EmploymentType.CONTRACT, salary=None)),
    (K.LOCUM, "Weekend locum coverage, interventional procedures", "Prairie Pain Associates", "Omaha, NE",
     "America/Chicago", WorkMode.ONSITE, ["Interventional spine", "Ultrasound-guided nerve blocks"], 25,
     dict(setting="private-practice", employment=EmploymentType.PER_DIEM, salary=None)),
    (K.LOCUM, "Locum tenens, rural critical access hospital", "High Plains Regional", "Cheyenne, WY",
     "America/Denver", WorkMode.ONSITE, ["Opioid stewardship", "Musculoskeletal pain"], 40,
     dict(setting="hospital-employed", employment=EmploymentType.CONTRACT, salary=None)),
    (K.LOCUM, "Summer locum (closed)", "Coastal Pain Partners", "Charleston, SC", "America/New_York",
     WorkMode.ONSITE, ["Interventional spine"], -60, dict(setting="private-practice",
                                                          employment=EmploymentType.CONTRACT, salary=None)),
    (K.FELLOWSHIP, "Pain medicine fellowship position, 2028 class", "Northbridge Pain Medicine Fellowship",
     "Boston, MA", "America/New_York", WorkMode.ONSITE,
     ["Neuromodulation / spinal cord stimulation", "Cancer pain", "Medical education"], 90,
     dict(setting="academic", employment=EmploymentType.FULL_TIME, salary=(78_000, 82_000))),
    (K.FELLOWSHIP, "Multidisciplinary pain fellowship, off-cycle opening", "Lakeshore Multidisciplinary Pain",
     "Chicago, IL", "America/Chicago", WorkMode.ONSITE, ["Pain psychology", "Addiction medicine"], 28,
     dict(setting="academic", employment=EmploymentType.FULL_TIME, salary=None)),
    (K.FELLOWSHIP, "Pediatric pain fellowship position", "Children's Hospital of the Rockies", "Denver, CO",
     "America/Denver", WorkMode.ONSITE, ["Pediatric pain", "Medical education"], 75,
     dict(setting="academic", employment=EmploymentType.FULL_TIME, salary=None)),
    (K.FELLOWSHIP, "Cancer pain and palliative care fellowship", "Sierra Vista Health Sciences Center",
     "Austin, TX", "America/Chicago", WorkMode.ONSITE, ["Cancer pain", "Palliative care"], -30,
     dict(setting="academic", employment=EmploymentType.FULL_TIME, salary=None)),
]

RESEARCH = [
    ("Multicenter registry: outcomes of dorsal root ganglion stimulation", "Northbridge Pain Research Group",
     ["Dorsal root ganglion stimulation", "Clinical trials", "Research methods"], 40,
     ProjectStage.PROTOCOL, IrbStatus.SUBMITTED, "Site investigators, data coordinators",
     "Site PIs are co-authors; fellows who enrol 10+ patients join the writing group."),
    ("Retrospective review: genicular nerve RFA durability", "Lakeshore Medical College",
     ["Radiofrequency ablation", "Musculoskeletal pain", "Research methods"], 30, ProjectStage.DATA_COLLECTION,
     IrbStatus.APPROVED, "Chart reviewers (fellows welcome)", "Authorship by ICMJE criteria."),
    ("Qualitative study of opioid tapering conversations", "Sierra Vista Health Sciences Center",
     ["Opioid stewardship", "Pain psychology", "Health services research"], 55, ProjectStage.IDEA,
     IrbStatus.PLANNED, "Qualitative researcher, interviewers", "Shared first authorship possible."),
    ("Ultrasound vs fluoroscopy for sacroiliac joint injection: pragmatic trial", "Northbridge Pain Research Group",
     ["Ultrasound-guided nerve blocks", "Clinical trials"], 65, ProjectStage.PROTOCOL, IrbStatus.PLANNED,
     "Statistician, two recruiting sites", "Site leads are co-authors."),
    ("Burnout among pain fellows: a national survey", "Fellowship Network wellness group",
     ["Wellness and burnout", "Medical education"], 20, ProjectStage.ANALYSIS, IrbStatus.EXEMPT,
     "Data analyst, manuscript writers", "Contributors listed by contribution."),
    ("Peripheral nerve stimulation for post-amputation pain: case series", "Cascade Neurology & Pain",
     ["Peripheral nerve stimulation", "Neuropathic pain"], -10, ProjectStage.WRITING, IrbStatus.APPROVED,
     "Co-writer", "Second authorship."),
    ("Pelvic pain pathways in primary care: health services study", "Lakeshore Health System",
     ["Pelvic pain", "Health services research", "Women in pain medicine"], 45, ProjectStage.IDEA,
     IrbStatus.NOT_NEEDED, "Health services researcher", "To be agreed at kickoff."),
]

# (kind, title, organisation, location, venue, online, zone, mode, interests, starts in days, hours, capacity,
#  CME credits)
EVENTS = [
    (K.CONFERENCE, "Annual Pain Medicine Fellows' Research Day", "Northbridge University Hospital", "Boston, MA",
     "Northbridge Conference Center, 200 Longwood Ave", "", "America/New_York", WorkMode.ONSITE,
     ["Research methods", "Medical education"], 60, 8, 150, "6.5"),
    (K.CONFERENCE, "Southwest Interventional Pain Symposium", "Texas Pain Society", "San Antonio, TX",
     "Riverwalk Convention Hall", "", "America/Chicago", WorkMode.ONSITE,
     ["Interventional spine", "Neuromodulation / spinal cord stimulation"], 90, 9, None, "12"),
    (K.CONFERENCE, "Neuromodulation Update, hybrid edition", "Great Lakes Neuromodulation Society", "Chicago, IL",
     "Lakeshore Medical College auditorium", "https://meet.example.org/neuromod-update", "America/Chicago",
     WorkMode.HYBRID, ["Neuromodulation / spinal cord stimulation", "Dorsal root ganglion stimulation"], 35, 7,
     200, "7"),
    (K.CONFERENCE, "Cancer Pain and Palliative Care Summit", "Sierra Vista Health Sciences Center", "Austin, TX",
     "Sierra Vista Alumni Center", "", "America/Chicago", WorkMode.ONSITE, ["Cancer pain", "Palliative care"],
     120, 8, 120, "8"),
    (K.CONFERENCE, "Headache Medicine Winter Meeting (past)", "Mountain Headache Society", "Park City, UT",
     "Summit Lodge", "", "America/Denver", WorkMode.ONSITE, ["Headache and facial pain"], -40, 8, None, "10"),
    (K.CONFERENCE, "Pain Psychology Congress (past)", "Society for Pain Psychology", "Seattle, WA",
     "Waterfront Conference Center", "", "America/Los_Angeles", WorkMode.ONSITE, ["Pain psychology"], -12, 7,
     None, "9"),
    (K.WORKSHOP, "Cadaver course: spinal cord stimulator trial and implant", "Northbridge Simulation Center",
     "Boston, MA", "Northbridge Simulation Center, Lab B", "", "America/New_York", WorkMode.ONSITE,
     ["Neuromodulation / spinal cord stimulation"], 28, 8, 16, "8"),
    (K.WORKSHOP, "Hands-on ultrasound-guided regional blocks", "Sierra Vista Pain Medicine Fellowship",
     "Austin, TX", "Sierra Vista Skills Lab, 3rd floor", "", "America/Chicago", WorkMode.ONSITE,
     ["Ultrasound-guided nerve blocks", "Musculoskeletal pain"], 21, 6, 12, "6"),
    (K.WORKSHOP, "Radiofrequency ablation masterclass", "Lakeshore Multidisciplinary Pain", "Chicago, IL",
     "Lakeshore Procedure Suite", "", "America/Chicago", WorkMode.ONSITE, ["Radiofrequency ablation"], 45, 7, 10,
     "7"),
    (K.WORKSHOP, "Board review bootcamp for pain medicine", "Fellowship Network faculty", "Denver, CO",
     "Rockies Conference Hotel", "", "America/Denver", WorkMode.ONSITE, ["Board preparation"], 70, 16, 40, "14"),
    (K.WORKSHOP, "Intrathecal pump refill and programming lab", "Northbridge Simulation Center", "Boston, MA",
     "Northbridge Simulation Center, Lab A", "", "America/New_York", WorkMode.ONSITE,
     ["Intrathecal drug delivery", "Cancer pain"], 50, 4, 8, "4"),
    (K.WORKSHOP, "Fluoroscopy safety and technique (past)", "Sierra Vista Pain Medicine Fellowship", "Austin, TX",
     "Sierra Vista Skills Lab", "", "America/Chicago", WorkMode.ONSITE, ["Interventional spine"], -25, 5, 12, "5"),
    (K.WEBINAR, "Webinar: negotiating your first pain medicine contract", "Fellowship Network alumni", "",
     "", "https://meet.example.org/first-contract", "America/New_York", WorkMode.REMOTE,
     ["Practice management", "Academic career"], 10, 1, None, None),
    (K.WEBINAR, "Webinar: opioid stewardship in 2027", "Great Lakes Pain Consortium", "", "",
     "https://meet.example.org/opioid-stewardship", "America/Chicago", WorkMode.REMOTE,
     ["Opioid stewardship", "Addiction medicine"], 18, 1, 500, "1"),
    (K.WEBINAR, "Webinar: building a research portfolio as a fellow", "Northbridge Pain Research Group", "", "",
     "https://meet.example.org/research-portfolio", "America/New_York", WorkMode.REMOTE,
     ["Research methods", "Academic career"], 25, 1, None, "1"),
    (K.WEBINAR, "Webinar: pediatric chronic pain and school function", "Children's Hospital of the Rockies", "",
     "", "https://meet.example.org/peds-pain", "America/Denver", WorkMode.REMOTE,
     ["Pediatric pain", "Pain psychology"], 33, 1, None, "1"),
    (K.WEBINAR, "Webinar: wellness for fellows (recording available)", "Fellowship Network wellness group", "",
     "", "https://meet.example.org/wellness", "America/Los_Angeles", WorkMode.REMOTE,
     ["Wellness and burnout"], -7, 1, None, None),
]

DESCRIPTION_JOB = """{org} is looking for a board-certified or board-eligible pain physician.

**What you will do**

- See new and established patients with a multidisciplinary team
- Perform {procedures}
- Teach residents and fellows who rotate with us

**What we offer**

- A supportive group with protected administrative time
- CME allowance and malpractice coverage
- Mentorship from alumni of the Fellowship Network
"""

DESCRIPTION_RESEARCH = """We are looking for collaborators for **{title}**.

- Project stage: {stage}
- IRB: {irb}
- Roles sought: {roles}

Fellows are very welcome: this is a good first project, and we meet every other week by video.
"""

DESCRIPTION_EVENT = """Join colleagues for **{title}**, organised by {org}.

- Small-group teaching with experienced faculty
- Case-based discussion; bring your questions
- Fellows and early-career alumni especially welcome
"""


def _member(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email)).first()


def seed_opportunities() -> int:
    """Add the demo opportunities (the caller commits); returns how many were added."""
    now = utcnow()
    existing = set(db.session.scalars(select(Opportunity.title)))
    interests = {i.name: i for i in db.session.scalars(select(Interest))}
    settings = {s.slug: s for s in db.session.scalars(select(PracticeSetting))}
    pain = db.session.scalars(select(Specialty).where(Specialty.slug == "pain-medicine")).first()
    alumni = _member("alumni@example.org")
    faculty = _member("faculty@example.org")
    fellow = _member("fellow@example.org")
    admin = _member("admin@example.org")
    others = list(db.session.scalars(select(User).where(User.role.in_([Role.ALUMNI, Role.FACULTY]),
                                                        User.status == MemberStatus.VERIFIED).order_by(User.id)))
    if not others:
        return 0
    posters = [u for u in (alumni, faculty) if u is not None] + others[:10]
    added: list[Opportunity] = []

    def add(index: int, kind, title, poster, *, deadline_days, zone, **fields):
        if title in existing:
            return None
        tz = ZoneInfo(zone)
        deadline = None
        if deadline_days is not None:
            day = (now + timedelta(days=deadline_days)).astimezone(tz).date()
            deadline = datetime.combine(day, time(23, 59), tz).astimezone(UTC)
        created = now - timedelta(days=(index * 3) % 40 + (60 if deadline_days is not None and deadline_days < 0
                                                               else 1))
        opportunity = Opportunity(kind=kind, title=title, poster_id=poster.id, time_zone=zone, deadline=deadline,
                                  created_at=created, updated_at=created, going_count=0,
                                  status=OpportunityStatus.OPEN, **fields)
        if "(closed)" in title or "(filled)" in title:
            opportunity.status = OpportunityStatus.CLOSED
            opportunity.closed_at = created + timedelta(days=10)
        if pain is not None:
            opportunity.specialties = [pain]
        db.session.add(opportunity)
        added.append(opportunity)
        return opportunity

    index = 0
    for kind, title, org, location, zone, mode, tags, days, extra in JOBS:
        index += 1
        salary = extra["salary"]
        procedures = ", ".join(t.lower() for t in tags[:2])
        opportunity = add(index, kind, title, posters[index % len(posters)], deadline_days=days, zone=zone,
                          organisation=org, location=location, work_mode=mode,
                          description=DESCRIPTION_JOB.format(org=org, procedures=procedures),
                          apply_url=f"https://careers.example.org/{index}" if index % 3 else "",
                          apply_email="" if index % 3 else f"recruiting{index}@example.org",
                          practice_setting_id=settings[extra["setting"]].id if extra["setting"] in settings else None,
                          employment_type=extra["employment"], salary_min=salary[0] if salary else None,
                          salary_max=salary[1] if salary else None)
        if opportunity is not None:
            opportunity.interests = [interests[t] for t in tags if t in interests]
    for n, (title, org, tags, days, stage, irb, roles, authorship) in enumerate(RESEARCH):
        index += 1
        poster = fellow if n == 0 and fellow is not None else posters[index % len(posters)]
        opportunity = add(index, K.RESEARCH, title, poster, deadline_days=days, zone="America/New_York",
                          organisation=org, location="Multicenter" if n % 2 == 0 else "", work_mode=WorkMode.REMOTE
                          if n % 2 else WorkMode.HYBRID,
                          description=DESCRIPTION_RESEARCH.format(title=title, stage=stage.label, irb=irb.label,
                                                                  roles=roles),
                          apply_email=f"research{index}@example.org", project_stage=stage, irb_status=irb,
                          roles_sought=roles, authorship=authorship)
        if opportunity is not None:
            opportunity.interests = [interests[t] for t in tags if t in interests]
    for n, (kind, title, org, location, venue, online, zone, mode, tags, days, hours, capacity, credits) \
            in enumerate(EVENTS):
        index += 1
        tz = ZoneInfo(zone)
        day = (now + timedelta(days=days)).astimezone(tz).date()
        starts = datetime.combine(day, time(13 if kind == K.WEBINAR else 8, 0), tz)
        poster = fellow if n == 0 and fellow is not None else posters[index % len(posters)]
        opportunity = add(index, kind, title, poster, deadline_days=days - 5 if days > 7 else None, zone=zone,
                          organisation=org, location=location, work_mode=mode, venue=venue, online_url=online,
                          description=DESCRIPTION_EVENT.format(title=title, org=org),
                          apply_url=f"https://events.example.org/{index}" if kind != K.WEBINAR else "",
                          starts_at=starts.astimezone(UTC), ends_at=(starts + timedelta(hours=hours)).astimezone(UTC),
                          capacity=capacity, cme_credits=Decimal(credits) if credits else None)
        if opportunity is not None:
            opportunity.interests = [interests[t] for t in tags if t in interests]
    db.session.flush()
    _engagement(added, fellow, admin, now)
    db.session.flush()
    return len(added)


def _engagement(added: list[Opportunity], fellow: User | None, admin: User | None, now: datetime) -> None:
    """A few bookmarks, interests and RSVPs from demo fellows, so lists are not empty."""
    fellows = list(db.session.scalars(select(User).where(User.role == Role.FELLOW,
                                                         User.status == MemberStatus.VERIFIED,
                                                         User.email != "fellow@example.org")
                                      .order_by(User.id).limit(6)))
    current = [o for o in added if o.status == OpportunityStatus.OPEN and not o.is_past(now)]
    events = [o for o in current if o.is_event]
    for n, member in enumerate(fellows):
        for event in events[n % 3::3][:2]:
            full = event.capacity is not None and event.going_count >= event.capacity
            db.session.add(Rsvp(opportunity_id=event.id, user_id=member.id,
                                status=RsvpStatus.WAITLISTED if full else RsvpStatus.GOING,
                                responded_at=now - timedelta(days=n + 1)))
            if not full:
                event.going_count += 1
        jobs = [o for o in current if o.kind_enum.is_job and o.poster_id != member.id]
        if jobs:
            job = jobs[n % len(jobs)]
            db.session.add(ExpressionOfInterest(opportunity_id=job.id, user_id=member.id,
                                                note="I finish fellowship in June and would love to hear more.",
                                                created_at=now - timedelta(days=n + 2)))
            db.session.add(Bookmark(user_id=member.id, opportunity_id=job.id))
    # The demo fellow holds a seat at a hands-on workshop (their notifications say one opened for them).
    workshop = next((o for o in events if o.kind_enum == OpportunityKind.WORKSHOP and fellow is not None
                     and o.poster_id != fellow.id and (o.capacity is None or o.going_count < o.capacity)), None)
    if workshop is not None:
        db.session.add(Rsvp(opportunity_id=workshop.id, user_id=fellow.id, status=RsvpStatus.GOING,
                            responded_at=now - timedelta(days=5)))
        workshop.going_count += 1
