"""The signed-in home page: each card shows what changed on the very next view, and only what the member may see."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select, update

from network.extensions import db
from network.types import utcnow
from tests.html_checks import check_page


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(page: str, heading_id: str) -> str:
    """The text of one card of the home page, found by its heading's id."""
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def make_cohort(app, *member_ids, name="Class of 2027") -> int:
    from network.programs.models import Cohort, CohortMembership, CohortRole, Program

    with app.app_context():
        program = Program(slug=name.lower().replace(" ", "-"), name=f"{name} program", institution=f"{name} Hospital")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name=name, start_date=date(2026, 7, 1), end_date=date(2027, 6, 30))
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all(CohortMembership(cohort_id=cohort.id, user_id=member_id, role=CohortRole.FELLOW)
                           for member_id in member_ids)
        db.session.commit()
        return cohort.id


def make_category(app, name, visibility="members", cohort_id=None, holds_phi_matches=False) -> int:
    from network.discussions.models import CategoryVisibility
    from network.discussions.services import categories

    with app.app_context():
        category = categories.save_category(None, None, name=name, description="For tests.",
                                            visibility=CategoryVisibility(visibility), cohort_id=cohort_id,
                                            holds_phi_matches=holds_phi_matches)
        db.session.commit()
        return category.id


def start_thread(app, category_id, author, title, body="Opening post about genicular nerve ablation."):
    """Through the service, as the new-thread form does: returns (thread id, opening post id)."""
    from network.discussions.models import Category
    from network.discussions.services import posting
    from network.members.models import User

    with app.test_request_context():
        thread, post = posting.start_thread(db.session.get(User, author.id), db.session.get(Category, category_id),
                                            title, body)
        db.session.commit()
        return thread.id, post.id


def test_the_discussions_card_shows_new_threads_the_member_may_see_and_nothing_else(app, make_user, login):
    fellow, classmate, outsider = make_user(), make_user(), make_user()
    faculty, admin = make_user(role="faculty"), make_user(role="admin")
    own_class = make_cohort(app, fellow.id, classmate.id)
    other_class = make_cohort(app, outsider.id, name="Class of 2028")
    forum = make_category(app, "Open forum")
    class_chat = make_category(app, "Class chat", "cohort", own_class)
    other_chat = make_category(app, "Other class chat", "cohort", other_class)
    faculty_room = make_category(app, "Faculty room", "faculty")
    cases = make_category(app, "Case review", holds_phi_matches=True)
    client = login(app.test_client(), fellow)
    assert "No conversations yet" in card(home(client), "home-discussions")

    forum_thread, _ = start_thread(app, forum, classmate, "Cooled RF for knees")
    page = card(home(client), "home-discussions")
    assert f'<a href="/discussions/t/{forum_thread}">Cooled RF for knees</a>' in page and "in Open forum" in page

    class_thread, _ = start_thread(app, class_chat, classmate, "Our call schedule")
    start_thread(app, other_chat, outsider, "Their call schedule")
    faculty_thread, _ = start_thread(app, faculty_room, faculty, "Evaluations are due")
    held_thread, held_post = start_thread(app, cases, classmate, "A difficult case", "Patient SSN 123-45-6789 ...")
    page = card(home(client), "home-discussions")
    # Newest first; another class's category, the faculty room and a post held for review stay out of sight.
    assert page.index(f'href="/discussions/t/{class_thread}"') < page.index("Cooled RF for knees")
    assert "in Class chat" in page
    assert "Their call schedule" not in page and "Evaluations are due" not in page and "A difficult case" not in page
    # The held thread's own author does not see it on the home page either until a moderator releases it.
    assert "A difficult case" not in card(home(login(app.test_client(), classmate)), "home-discussions")

    assert login(app.test_client(), admin).post(f"/discussions/p/{held_post}/approve").status_code == 302
    page = card(home(client), "home-discussions")
    assert page.index("A difficult case") < page.index("Our call schedule")
    assert f'href="/discussions/t/{held_thread}"' in page and "in Case review" in page

    # Each role sees its own categories: faculty their room (not the classes'), an administrator everything.
    faculty_page = card(home(login(app.test_client(), faculty)), "home-discussions")
    assert f'href="/discussions/t/{faculty_thread}"' in faculty_page and "Our call schedule" not in faculty_page
    admin_page = card(home(login(app.test_client(), admin)), "home-discussions")
    assert "Their call schedule" in admin_page and "Evaluations are due" in admin_page


def make_opportunity(app, poster, title, kind="job", interests=(), **fields) -> int:
    from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus, WorkMode
    from network.taxonomy.models import Interest

    now = utcnow()
    values = dict(title=title, organisation="Northbridge Pain Center", location="Boston, MA",
                  work_mode=WorkMode.ONSITE, description="A good opportunity.", time_zone="America/New_York",
                  deadline=now + timedelta(days=30), status=OpportunityStatus.OPEN, going_count=0)
    if OpportunityKind(kind).is_event:
        values.update(starts_at=now + timedelta(days=40), ends_at=now + timedelta(days=40, hours=8),
                      venue="Simulation center", deadline=now + timedelta(days=35))
    values.update(fields)
    with app.app_context():
        opportunity = Opportunity(kind=OpportunityKind(kind), poster_id=poster.id, **values)
        opportunity.interests = list(db.session.scalars(select(Interest).where(Interest.name.in_(interests))))
        db.session.add(opportunity)
        db.session.commit()
        return opportunity.id


def test_the_opportunities_card_shows_current_ones_those_matching_my_interests_first(app, make_user, login):
    from network.profiles.models import Profile
    from network.taxonomy.models import Interest

    fellow, poster = make_user(), make_user(role="alumni")
    with app.app_context():
        db.session.add(Profile(user_id=fellow.id, interests=list(db.session.scalars(
            select(Interest).where(Interest.name == "Cancer pain")))))
        db.session.commit()
    client = login(app.test_client(), fellow)
    assert "No open opportunities yet" in card(home(client), "home-opportunities")

    matching = make_opportunity(app, poster, "Cancer pain research fellow", interests=["Cancer pain"])
    job = make_opportunity(app, poster, "Interventional pain physician")
    make_opportunity(app, poster, "Last year's locum", kind="locum", deadline=utcnow() - timedelta(days=1))
    workshop = make_opportunity(app, poster, "Ultrasound workshop", kind="workshop")
    page = card(home(client), "home-opportunities")
    assert f'<a href="/opportunities/{job}">Interventional pain physician</a>' in page
    assert "Job, apply by " in page and "Workshop / hands-on course, " in page and "Last year's locum" not in page
    # What matches the member's interests comes first, then the newest.
    assert (page.index(f"/opportunities/{matching}\"") < page.index(f"/opportunities/{workshop}\"")
            < page.index(f"/opportunities/{job}\""))

    # The poster closes the job: it is gone from the next view.
    assert login(app.test_client(), poster).post(f"/opportunities/{job}/close").status_code == 302
    page = card(home(client), "home-opportunities")
    assert "Interventional pain physician" not in page and "Ultrasound workshop" in page


def test_the_mentoring_card_shows_a_new_mentor_and_whether_they_met_lately(app, make_user, login):
    from network.mentorship.models import Mentorship
    from tests.test_mentorship import ask, mentor_with_settings, request_of

    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Tess Mentor")
    fellow_client, mentor_client = login(app.test_client(), fellow), login(app.test_client(), mentor)
    assert "No mentees yet" in card(home(mentor_client), "home-mentorship")
    ask(app, login, fellow, mentor)
    mentor_client.post(f"/mentorship/requests/{request_of(app, fellow, mentor).id}/accept")
    with app.app_context():
        mentorship_id = db.session.scalar(select(Mentorship.id).where(Mentorship.mentee_id == fellow.id))

    team = card(home(fellow_client), "home-mentorship")
    assert f'<strong>Research:</strong>\n<a href="/mentorship/{mentorship_id}">Dr. Tess Mentor</a>' in team
    assert "no meeting lately" not in team and "find a mentor<span class=\"visually-hidden\"> for career" in team
    mentees = card(home(mentor_client), "home-mentorship")
    assert f'<a href="/mentorship/{mentorship_id}">{fellow.name}</a> · research' in mentees

    # Three months without a meeting (monthly cadence): both see it on their next view...
    with app.app_context():
        db.session.execute(update(Mentorship).where(Mentorship.id == mentorship_id)
                           .values(started_at=utcnow() - timedelta(days=90)))
        db.session.commit()
    assert "no meeting lately" in card(home(fellow_client), "home-mentorship")
    assert "no meeting lately" in card(home(mentor_client), "home-mentorship")
    # ...until they log one.
    fellow_client.post(f"/mentorship/{mentorship_id}/meetings", data={
        "meeting-met_on": date.today().isoformat(), "meeting-minutes": "30", "meeting-mode": "video"})
    assert "no meeting lately" not in card(home(fellow_client), "home-mentorship")
    assert "no meeting lately" not in card(home(mentor_client), "home-mentorship")


def test_the_profile_card_and_the_greeting_follow_the_profile(app, make_user, login):
    from tests.test_profiles import profile_form

    alumna = make_user(role="alumni")
    client = login(app.test_client(), alumna)
    page = home(client)
    assert "trained in" not in page and "Offer mentoring" in card(page, "home-mentorship")
    assert "Your profile is 0% complete" in card(page, "home-account")

    assert client.post("/members/me/edit", data=profile_form(app)).status_code == 302
    page = home(client)
    edit = client.get("/members/me/edit").get_data(as_text=True)
    percent = re.search(r"Profile (\d+)% complete", edit).group(1)
    # The same measure as the profile editor's, and the training background in the greeting.
    assert f"Your profile is {percent}% complete" in page and "0% complete" not in page
    assert "Alumni · trained in Physical medicine and rehabilitation (PM&amp;R)" in page
    assert "at least three interests" in card(page, "home-account")  # two were chosen

    client.post("/mentorship/settings", data={"accepting": "y", "capacity": "2", "types": ["research"],
                                              "meeting_modes": ["video"], "availability": "Evenings"})
    mentoring = card(home(client), "home-mentorship")
    assert "No mentees yet" in mentoring and "Offer mentoring" not in mentoring
    assert check_page(client.get("/").data) == []


def test_the_home_view_gathers_its_cards_and_no_area_injects_them_into_every_page(app, make_user, login):
    """The home page's data comes from its view: the discussions and opportunities cards are rows the view
    passes, and no other page's template sees home-page helpers injected by those areas' blueprints."""
    from flask import template_rendered

    fellow, poster = make_user(), make_user(role="alumni")
    forum = make_category(app, "Open forum")
    thread, _ = start_thread(app, forum, poster, "Cooled RF for knees")
    job = make_opportunity(app, poster, "Interventional pain physician")
    client = login(app.test_client(), fellow)
    rendered = []

    def note(sender, template, context, **extra):
        rendered.append((template.name, context))

    with template_rendered.connected_to(note, app):
        home(client)
        assert client.get("/discussions/").status_code == 200
    (_, home_context), (_, other_context) = rendered
    assert [row.id for row in home_context["threads"]] == [thread]
    assert [row.id for row in home_context["opportunities"]] == [job]
    assert not {"recent_discussions", "home_opportunities"} & set(other_context)
