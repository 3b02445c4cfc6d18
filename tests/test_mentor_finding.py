"""Finding a mentor and keeping the record (issue #18, item 10): an "Ask to mentor" button on an open
mentor's profile, recommendation cards that show who the mentor is (as far as the fellow may see),
past mentorships listed, meetings that can be corrected or deleted by whoever logged them, notes in
markdown, and plain words instead of "1.5× your cadence"."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from network.extensions import db
from network.mentorship.models import Meeting, Mentorship
from network.profiles.models import Profile
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_directory import add_profile
from tests.test_mentorship import ask, mentor_with_settings, request_of


def accepted(app, login, fellow, mentor, type="research") -> int:
    """Ask ``mentor`` and have them accept: the new mentorship's id."""
    assert ask(app, login, fellow, mentor, type=type).status_code == 302
    request_id = request_of(app, fellow, mentor).id
    response = login(app.test_client(), mentor).post(f"/mentorship/requests/{request_id}/accept")
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# -- 1. "Ask to mentor" on a profile ----------------------------------------------------------------


def test_an_open_mentors_profile_offers_ask_to_mentor_to_fellows_only(app, make_user, login):
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Open Door")
    closed = make_user(role="faculty", name="Dr. Closed Door")
    login(app.test_client(), closed).post("/mentorship/settings", data={"capacity": "2", "types": ["research"]})
    fellow = make_user(role="fellow")
    fellow_client = login(app.test_client(), fellow)
    page = fellow_client.get(f"/members/{mentor.id}")
    assert page.status_code == 200 and check_page(page.data) == []
    link = re.search(r'<a class="btn [^"]*" href="([^"]+)">Ask to mentor', page.get_data(as_text=True))
    assert link, "no Ask to mentor button"
    form = fellow_client.get(html.unescape(link.group(1)))
    assert form.status_code == 200 and "Ask Dr. Open Door to mentor you" in text_of(form)
    # Not for a mentor who is not taking mentees, nor for the mentor themself, nor for alumni and faculty.
    assert "Ask to mentor" not in text_of(fellow_client.get(f"/members/{closed.id}"))
    assert "Ask to mentor" not in text_of(login(app.test_client(), mentor).get(f"/members/{mentor.id}"))
    for role in ("alumni", "faculty", "admin"):
        viewer = login(app.test_client(), make_user(role=role))
        assert "Ask to mentor" not in text_of(viewer.get(f"/members/{mentor.id}")), role
    # The server refuses what the page does not offer.
    assert fellow_client.get(f"/mentorship/ask/{closed.id}").status_code == 403
    assert fellow_client.post(f"/mentorship/ask/{closed.id}",
                              data={"type": "research", "message": "Please"}).status_code == 403


def test_the_profile_shows_a_waiting_request_or_the_mentorship_instead(app, make_user, login):
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Open Door", capacity=3)
    fellow = make_user(role="fellow")
    client = login(app.test_client(), fellow)
    assert ask(app, login, fellow, mentor).status_code == 302
    waiting = text_of(client.get(f"/members/{mentor.id}"))
    assert "Ask to mentor" not in waiting
    assert "You asked Dr. Open Door for research mentoring" in waiting and "waiting for an answer" in waiting
    login(app.test_client(), mentor).post(f"/mentorship/requests/{request_of(app, fellow, mentor).id}/accept")
    mentoring = client.get(f"/members/{mentor.id}").get_data(as_text=True)
    assert "Ask to mentor" not in mentoring
    assert "Dr. Open Door is your research mentor" in html.unescape(mentoring)
    with app.app_context():
        own = db.session.scalar(select(Mentorship.id).where(Mentorship.mentee_id == fellow.id))
    assert f'href="/mentorship/{own}"' in mentoring


def test_the_ask_form_offers_the_kinds_the_mentor_takes(app, make_user, login):
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Career Only", types=("career",))
    page = text_of(login(app.test_client(), make_user(role="fellow")).get(f"/mentorship/ask/{mentor.id}"))
    options = re.findall(r'<option[^>]*value="(\w+)"', page)
    assert options == ["career"]


# -- 2. Recommendation cards --------------------------------------------------------------------------


def test_recommendation_cards_show_photo_role_institution_and_only_a_visible_location(app, make_user, login):
    fellow = make_user(role="fellow")
    shown = mentor_with_settings(app, make_user, login, role="faculty", name="Dr. Shown Place")
    add_profile(app, shown, institution="Baylor College of Medicine", city="Houston", region="TX", country="US",
                accepting_mentees=True, location_visibility="members")
    hidden = mentor_with_settings(app, make_user, login, name="Dr. Hidden Place")
    add_profile(app, hidden, institution="Mayo Clinic", city="Rochester", region="MN", country="US",
                accepting_mentees=True, location_visibility="private")
    connected_only = mentor_with_settings(app, make_user, login, name="Dr. Connected Place")
    add_profile(app, connected_only, institution="Stanford", city="Palo Alto", region="CA", country="US",
                accepting_mentees=True, location_visibility="connected")
    with app.app_context():
        db.session.execute(update(Profile).where(Profile.user_id == shown.id).values(photo=b"jpeg", photo_version=3))
        db.session.commit()
    page = login(app.test_client(), fellow).get("/mentorship/recommendations?type=research")
    assert page.status_code == 200 and check_page(page.data) == []
    text = text_of(page)
    assert f'src="/members/{shown.id}/photo?v=3"' in text and 'alt="" aria-hidden="true"' in text
    assert ">HP<" in text  # Dr. Hidden Place has no photo: their initials
    assert "Faculty" in text and "Alumni" in text
    assert "Baylor College of Medicine" in text and "Mayo Clinic" in text and "Stanford" in text
    assert "Houston, TX, US" in text
    assert "Rochester" not in text and "Palo Alto" not in text


def test_the_recommendations_page_costs_the_same_queries_with_many_mentors(app, make_user, login, count_queries):
    from network.mentorship.models import MentorSettings
    from tests.profiles_helpers import bulk_members

    fellow = make_user(role="fellow")
    client = login(app.test_client(), fellow)
    client.get("/")

    def add_mentors(count, prefix):
        ids = bulk_members(app, count, prefix=prefix)
        with app.app_context():
            db.session.add_all(MentorSettings(user_id=i, capacity=3, types=["research"]) for i in ids)
            db.session.execute(update(Profile).where(Profile.user_id.in_(ids))
                               .values(institution="Cleveland Clinic", location_visibility="members"))
            db.session.commit()

    add_mentors(5, "Dr. Few")
    with count_queries() as few:
        page = client.get("/mentorship/recommendations?type=research")
    assert "Cleveland Clinic" in text_of(page)
    add_mentors(200, "Dr. Many")
    with count_queries() as many:
        page = client.get("/mentorship/recommendations?type=research")
    assert text_of(page).count("Cleveland Clinic") == 20
    assert len(few) == len(many) <= 9, many


# -- 3. Past mentorships ------------------------------------------------------------------------------


def test_past_mentorships_are_listed_for_both_and_stay_readable(app, make_user, login):
    fellow = make_user(role="fellow", name="Dr. Former Mentee")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Former Mentor")
    mentorship_id = accepted(app, login, fellow, mentor)
    fellow_client, mentor_client = login(app.test_client(), fellow), login(app.test_client(), mentor)
    base = f"/mentorship/{mentorship_id}"
    fellow_client.post(f"{base}/meetings", data={"meeting-met_on": date.today().isoformat(), "meeting-minutes": "30",
                                                  "meeting-mode": "video", "meeting-notes": "Chose the journal"})
    fellow_client.post(f"{base}/end", data={"end-outcome": "completed", "end-rating": "5", "end-comment": "Great",
                                           "confirm": "yes"})
    today = date.today().strftime("%d %b %Y")
    for client, other in ((fellow_client, "Dr. Former Mentor"), (mentor_client, "Dr. Former Mentee")):
        page = client.get("/mentorship/")
        assert page.status_code == 200 and check_page(page.data) == []
        text = text_of(page)
        past = text[text.index("Past mentorships"):]
        assert other in past and "Research" in past and "Completed" in past and today in past
        assert f'href="{base}"' in past
        workspace = text_of(client.get(base))
        assert "Chose the journal" in workspace


# -- 4. Editing and deleting meetings ----------------------------------------------------------------


@pytest.fixture
def logged(app, make_user, login):
    """A mentorship whose mentee logged one meeting; (mentee client, mentor client, workspace URL, meeting id)."""
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    mentorship_id = accepted(app, login, fellow, mentor)
    fellow_client, mentor_client = login(app.test_client(), fellow), login(app.test_client(), mentor)
    base = f"/mentorship/{mentorship_id}"
    met_on = (date.today() - timedelta(days=3)).isoformat()
    fellow_client.post(f"{base}/meetings", data={"meeting-met_on": met_on, "meeting-minutes": "30",
                                                  "meeting-mode": "video", "meeting-notes": "First notes"})
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.mentorship_id == mentorship_id))
    return fellow_client, mentor_client, base, meeting_id, mentorship_id


def test_the_author_edits_a_meeting(app, logged):
    fellow_client, mentor_client, base, meeting_id, mentorship_id = logged
    workspace = fellow_client.get(base).get_data(as_text=True)
    assert f'href="{base}/meetings/{meeting_id}/edit"' in workspace
    assert f'{base}/meetings/{meeting_id}/edit' not in mentor_client.get(base).get_data(as_text=True)
    page = fellow_client.get(f"{base}/meetings/{meeting_id}/edit")
    assert page.status_code == 200 and check_page(page.data) == [] and "First notes" in text_of(page)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    saved = fellow_client.post(f"{base}/meetings/{meeting_id}/edit", data={
        "meeting-met_on": yesterday, "meeting-minutes": "45", "meeting-mode": "phone",
        "meeting-notes": "Corrected notes"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(base)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert (meeting.minutes, meeting.notes, meeting.met_on.isoformat()) == (45, "Corrected notes", yesterday)
        assert db.session.get(Mentorship, mentorship_id).last_met_on.isoformat() == yesterday
    bad = fellow_client.post(f"{base}/meetings/{meeting_id}/edit", data={
        "meeting-met_on": "2999-01-01", "meeting-minutes": "45", "meeting-mode": "phone"})
    assert bad.status_code == 400 and "cannot be in the future" in text_of(bad)


def test_the_author_deletes_a_meeting_after_confirming(app, logged):
    fellow_client, _, base, meeting_id, mentorship_id = logged
    delete = f"{base}/meetings/{meeting_id}/delete"
    # The workspace's Delete is a button that posts (the shared confirmation pattern), not a link to a page.
    workspace = fellow_client.get(base).get_data(as_text=True)
    assert check_page(workspace.encode()) == []
    assert f'<form method="post" action="{delete}">' in workspace and f'href="{delete}"' not in workspace
    met_on = (date.today() - timedelta(days=3)).strftime("%d %B %Y")
    # A POST without the confirmation changes nothing and asks, on the shared confirmation page (200).
    for asked in (fellow_client.post(delete), fellow_client.get(delete)):
        assert asked.status_code == 200 and check_page(asked.data) == []
        assert f"Delete the meeting of {met_on}?" in text_of(asked)
        assert "deleted for both of you" in text_of(asked)
        assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id) is not None
    deleted = fellow_client.post(delete, data={"confirm": "yes"}, follow_redirects=True)
    assert deleted.status_code == 200 and "The meeting is deleted." in text_of(deleted)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id) is None
        assert db.session.get(Mentorship, mentorship_id).last_met_on is None  # no meeting left


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_only_the_author_changes_a_meeting(app, make_user, login, logged, action):
    _, mentor_client, base, meeting_id, _ = logged
    url = f"{base}/meetings/{meeting_id}/{action}"
    data = {"confirm": "yes", "meeting-met_on": date.today().isoformat(), "meeting-minutes": "5",
            "meeting-mode": "video", "meeting-notes": "Overwritten"}
    assert mentor_client.get(url).status_code == 403
    assert mentor_client.post(url, data=data).status_code == 403
    stranger = login(app.test_client(), make_user(role="faculty"))
    assert stranger.get(url).status_code == 404 and stranger.post(url, data=data).status_code == 404
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).notes == "First notes"


def test_an_ended_mentorships_meetings_are_read_only(app, logged):
    fellow_client, _, base, meeting_id, _ = logged
    fellow_client.post(f"{base}/end", data={"end-outcome": "ended", "end-rating": "3", "confirm": "yes"})
    assert f"/meetings/{meeting_id}/edit" not in fellow_client.get(base).get_data(as_text=True)
    assert fellow_client.get(f"{base}/meetings/{meeting_id}/edit").status_code == 403
    assert fellow_client.post(f"{base}/meetings/{meeting_id}/delete", data={"confirm": "yes"}).status_code == 403


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_changing_a_meeting_needs_the_csrf_token(make_app, make_user, login, action):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        fellow, mentor = make_user(role="fellow"), make_user(role="alumni")
        mentorship = Mentorship(mentee_id=fellow.id, mentor_id=mentor.id, type="research")
        db.session.add(mentorship)
        db.session.flush()
        meeting = Meeting(mentorship_id=mentorship.id, author_id=fellow.id, met_on=date.today(), minutes=30,
                          mode="video", notes="Kept")
        db.session.add(meeting)
        db.session.commit()
        url = f"/mentorship/{mentorship.id}/meetings/{meeting.id}/{action}"
    response = login(app.test_client(), fellow).post(url, data={
        "confirm": "yes", "meeting-met_on": date.today().isoformat(), "meeting-minutes": "5",
        "meeting-mode": "video", "meeting-notes": "Forged"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).notes == "Kept"


# -- 5. Markdown in notes ----------------------------------------------------------------------------


@pytest.mark.parametrize("private", [False, True])
def test_meeting_notes_render_markdown_without_scripts(app, logged, private):
    fellow_client, _, base, _, _ = logged
    data = {"meeting-met_on": date.today().isoformat(), "meeting-minutes": "30", "meeting-mode": "video",
            "meeting-notes": "**Next step**: draft\n\n- methods\n- results\n\n<script>alert('x')</script>"}
    if private:
        data["meeting-notes_private"] = "y"
    assert fellow_client.post(f"{base}/meetings", data=data).status_code == 302
    page = fellow_client.get(base).get_data(as_text=True)
    assert "<strong>Next step</strong>" in page and "<li>methods</li>" in page
    assert "<script>alert" not in page
    assert "**Next step**" not in page


# -- 6. Plain words instead of "1.5× your cadence" -------------------------------------------------


JARGON = re.compile(r"cadence|1\.5|×", re.IGNORECASE)


def test_overdue_is_said_in_plain_words(app, make_user, login, runner):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    mentorship_id = accepted(app, login, fellow, mentor)
    with app.app_context():
        db.session.execute(update(Mentorship).values(started_at=utcnow() - timedelta(days=60), cadence_days=14,
                                                     last_met_on=date.today() - timedelta(days=35)))
        db.session.commit()
    client = login(app.test_client(), fellow)
    for url in (f"/mentorship/{mentorship_id}", "/mentorship/"):
        text = text_of(client.get(url))
        visible = re.sub(r"<[^>]+>", " ", text[text.index("<main"):])
        assert not JARGON.search(visible), (url, JARGON.search(visible))
        assert "Overdue: you planned to meet every 2 weeks; last met 5 weeks ago" in " ".join(visible.split()), url
    mentor_page = re.sub(r"<[^>]+>", " ", text_of(login(app.test_client(), mentor).get("/mentorship/")))
    assert "Overdue: you planned to meet every 2 weeks; last met 5 weeks ago" in " ".join(mentor_page.split())
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    mails = outbox(app, "reminder-meeting")
    assert len(mails) == 2
    for mail in mails:
        assert "You planned to meet every 2 weeks; your last meeting was 5 weeks ago." in mail.text_body
        assert not JARGON.search(mail.text_body)


def test_a_request_message_renders_markdown_without_scripts(app, make_user, login):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    assert ask(app, login, fellow, mentor,
               message="I hope to work on:\n\n1. **study design**\n2. a first abstract\n\n<script>alert(1)</script>"
               ).status_code == 302
    page = login(app.test_client(), mentor).get("/mentorship/requests").get_data(as_text=True)
    assert "<strong>study design</strong>" in page and "<li>a first abstract</li>" in page
    assert "<script>alert" not in page


def test_the_cohort_dashboard_says_overdue_in_plain_words(app, make_user, login):
    from tests.test_cohort_dashboard import add_mentoring
    from tests.test_programs import make_program

    setup = make_program(app, make_user, fellows=3)
    add_mentoring(app, setup, make_user(role="alumni", name="Dr. Mentor"))
    page = text_of(login(app.test_client(), setup["director"]).get(f"/cohorts/{setup['cohort']}/dashboard"))
    visible = " ".join(re.sub(r"<[^>]+>", " ", page[page.index("<main"):]).split())
    assert not JARGON.search(visible), JARGON.search(visible)
    assert "has not met for half as long again as they planned" in visible
