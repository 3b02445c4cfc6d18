"""Complete, plausible profiles for the demo members (idempotent: members with a profile are skipped)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.profiles import services
from network.profiles.models import AcademicRank, CareerGoal, Visibility
from network.programs.models import Cohort, CohortMembership, Program
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty

# Where alumni went after fellowship: (city, region, country, time zone).
PLACES = [
    ("Boston", "MA", "US", "America/New_York"), ("Chicago", "IL", "US", "America/Chicago"),
    ("Austin", "TX", "US", "America/Chicago"), ("Houston", "TX", "US", "America/Chicago"),
    ("Dallas", "TX", "US", "America/Chicago"), ("Denver", "CO", "US", "America/Denver"),
    ("Seattle", "WA", "US", "America/Los_Angeles"), ("San Diego", "CA", "US", "America/Los_Angeles"),
    ("Atlanta", "GA", "US", "America/New_York"), ("Philadelphia", "PA", "US", "America/New_York"),
    ("Minneapolis", "MN", "US", "America/Chicago"), ("Phoenix", "AZ", "US", "America/Phoenix"),
    ("Toronto", "ON", "CA", "America/Toronto"), ("Nashville", "TN", "US", "America/Chicago"),
]
PROGRAM_PLACES = {"northbridge-pain": PLACES[0], "lakeshore-pain": PLACES[1], "sierra-vista-pain": PLACES[2]}
PRACTICES = ["Summit Spine & Pain Associates", "Lone Star Interventional Pain", "Harborview Pain Institute",
             "VA Medical Center, Pain Service", "Mountain West Pain Specialists", "Regional Medical Center",
             "Cascade Neuromodulation Group", "University Health, Department of Anesthesiology"]
LANGUAGES = ["English", "English, Spanish", "English, French", "English, Hindi", "English, Portuguese",
             "English, Mandarin", "English, Arabic", "English, Yoruba", "English, Polish", "English, German"]
BACKGROUND_CERTIFICATIONS = {
    "anesthesiology": ["ABA Anesthesiology", "ABA Pain Medicine"],
    "pmr": ["ABPMR Physical Medicine and Rehabilitation", "ABPMR Pain Medicine"],
    "neurology": ["ABPN Neurology", "ABPN Pain Medicine"],
    "psychiatry": ["ABPN Psychiatry", "ABPN Pain Medicine"],
    "family-medicine": ["ABFM Family Medicine", "ABFM Pain Medicine"],
    "emergency-medicine": ["ABEM Emergency Medicine", "ABEM Pain Medicine"],
}
FOCUS = {
    "Neuromodulation / spinal cord stimulation":
        "spinal cord and DRG stimulation for failed back surgery syndrome and CRPS",
    "Interventional spine": "image-guided spine procedures, from medial branch blocks to basivertebral nerve ablation",
    "Ultrasound-guided nerve blocks": "ultrasound-guided regional anesthesia and peripheral nerve blocks",
    "Cancer pain": "intrathecal pumps and neurolytic blocks for cancer pain",
    "Headache and facial pain": "occipital nerve blocks and sphenopalatine ganglion procedures for headache",
    "Pain psychology": "pain psychology and cognitive behavioural therapy alongside procedures",
    "Addiction medicine": "buprenorphine transitions and opioid use disorder in chronic pain",
    "Pediatric pain": "pediatric chronic pain and functional rehabilitation",
    "Regenerative medicine": "PRP and orthobiologics for musculoskeletal pain",
    "Research methods": "pragmatic trials and outcomes research in interventional pain",
}
COLOURS = ["#0b4f6c", "#2e6f40", "#7a3e9d", "#9c3d1e", "#1f5e8c", "#5b4a1e", "#8c1f4a", "#2f5d62"]


def _initials_photo(name: str, colour: str) -> bytes:
    """A simple portrait placeholder: initials on a coloured square (a real upload replaces it)."""
    image = Image.new("RGB", (320, 320), colour)
    draw = ImageDraw.Draw(image)
    initials = "".join(part[0] for part in name.replace("Dr. ", "").split()[:2]).upper()
    font = ImageFont.load_default(size=130)
    box = draw.textbbox((0, 0), initials, font=font)
    draw.text(((320 - (box[2] - box[0])) / 2 - box[0], (320 - (box[3] - box[1])) / 2 - box[1]), initials,
              fill="white", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_profiles() -> int:
    """Give every verified demo member without a profile a complete one; returns how many."""
    rng = random.Random(4242)
    interests = {i.name: i for i in db.session.scalars(select(Interest))}
    certifications = {c.name: c for c in db.session.scalars(select(BoardCertification))}
    settings = {s.slug: s for s in db.session.scalars(select(PracticeSetting))}
    pain = db.session.scalars(select(Specialty).where(Specialty.slug == "pain-medicine")).one()
    users = db.session.scalars(
        select(User).where(User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None))
        .options(selectinload(User.profile), selectinload(User.training_background)).order_by(User.id)).all()
    memberships = {}
    for user_id, program, cohort in db.session.execute(
            select(CohortMembership.user_id, Program, Cohort)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id).join(Program, Program.id == Cohort.program_id)
            .order_by(Cohort.start_date)):
        memberships.setdefault(user_id, []).append((program, cohort))
    made = 0
    interest_names = sorted(interests)
    for index, user in enumerate(users):
        if user.profile is not None or user.role == Role.ADMIN:
            continue
        mine = memberships.get(user.id, [])
        program, cohort = mine[-1] if mine else (None, None)
        chosen = rng.sample(interest_names, rng.randint(4, 7))
        if user.email == "alumni@example.org":
            chosen = ["Neuromodulation / spinal cord stimulation", "Research methods", "Interventional spine",
                      "Practice management", "Women in pain medicine"]
        focus = next((FOCUS[name] for name in chosen if name in FOCUS), "comprehensive interventional pain care")
        background = user.training_background
        fields = dict(
            primary_specialty_id=pain.id,
            languages=rng.choice(LANGUAGES),
            time_zone="", city="", region="", country="",
            accepting_mentees=user.role in (Role.ALUMNI, Role.FACULTY) and rng.random() < 0.75,
            email_visibility=rng.choice([Visibility.CONNECTED, Visibility.CONNECTED, Visibility.MEMBERS]),
            links_visibility=Visibility.MEMBERS,
            location_visibility=rng.choice([Visibility.MEMBERS] * 4 + [Visibility.CONNECTED, Visibility.PRIVATE]),
        )
        place = PROGRAM_PLACES.get(program.slug) if program else PLACES[0]
        first_name = user.name.replace("Dr. ", "").split()[0]
        if user.role == Role.FELLOW:
            fields.update(
                headline=f"Pain medicine fellow, {program.institution}" if program else "Pain medicine fellow",
                institution=program.institution if program else "",
                career_goal=rng.choice(list(CareerGoal)),
                bio=(f"I came to pain medicine from {background.name.lower() if background else 'residency'} and "
                     f"I am most drawn to **{focus}**.\n\nLooking for mentors who can help with:\n\n"
                     f"- {chosen[0].lower()}\n- {chosen[1].lower()}\n- finding a first job after fellowship"),
            )
        elif user.role == Role.ALUMNI:
            city, region, country, zone = rng.choice(PLACES) if rng.random() < 0.7 else place
            if user.email == "alumni@example.org":
                city, region, country, zone = "Austin", "TX", "US", "America/Chicago"
            practice = rng.choice(PRACTICES)
            setting = settings["va-military" if "VA" in practice else
                               "academic" if "University" in practice else
                               rng.choice(["private-practice", "private-practice", "hospital-employed"])]
            if user.email == "alumni@example.org":
                practice, setting = "Lone Star Interventional Pain", settings["private-practice"]
            trained_in = background.name.lower() if background else "residency"
            fields.update(
                headline=f"Interventional pain physician, {practice}",
                institution=practice, current_position=f"Attending physician, {practice}",
                practice_setting_id=setting.id,
                graduation_year=cohort.end_date.year if cohort else 2020,
                city=city, region=region, country=country, time_zone=zone,
                links=[f"https://www.example.org/physicians/{first_name.lower()}"],
                bio=(f"Fellowship-trained in pain medicine after {trained_in}. "
                     f"My practice centres on **{focus}**.\n\nHappy to talk with fellows about the job search, "
                     "contracts and building a procedural practice."),
            )
        elif user.role == Role.FACULTY:
            fields.update(
                headline=f"Faculty, {program.name}" if program else "Pain medicine faculty",
                institution=program.institution if program else "",
                title=("Program director, pain medicine fellowship" if user.email == "faculty@example.org"
                       else "Associate program director" if index % 4 == 1 else "Attending physician"),
                academic_rank=rng.choice(list(AcademicRank)),
                bio=(f"I teach fellows {focus} and run our journal club. "
                     "Ask me about research projects, board preparation and academic careers."),
            )
        if user.role != Role.ALUMNI:
            fields.update(city=place[0], region=place[1], country=place[2], time_zone=place[3])
        if user.email.split("@")[0] in ("fellow", "alumni", "faculty"):
            # The documented demo accounts show everything to members, so every walkthrough finds them.
            fields.update(location_visibility=Visibility.MEMBERS, email_visibility=Visibility.MEMBERS)
        user_certifications = [certifications[name] for name in
                               BACKGROUND_CERTIFICATIONS.get(background.slug if background else "", [])
                               if name in certifications]
        if user.role == Role.FELLOW:
            user_certifications = user_certifications[:1]
        services.update_profile(user, name=user.name, interests=[interests[n] for n in chosen],
                                certifications=user_certifications, **fields)
        services.set_photo(user, _initials_photo(user.name, COLOURS[index % len(COLOURS)]))
        made += 1
    return made
