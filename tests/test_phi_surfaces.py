"""The patient-identifier guard on every surface that no moderator reads: mentoring requests, meeting
notes (shared and private), goals, the compact and the closing comment; opportunities; profile text.
Strong identifiers are refused (400, the draft highlighted, nothing saved) even with the box ticked;
weaker ones are saved only once the author ticks the box; clean text saves as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from network.extensions import db
from network.mentorship.models import Goal, Meeting, Mentorship, MentorshipRequest
from network.opportunities.models import ExpressionOfInterest, Opportunity
from network.profiles.models import Profile
from tests.html_checks import check_page
from tests.opportunities.test_posting import valid_form
from tests.test_mentorship import ask, mentor_with_settings
from tests.test_profiles import profile_form

STRONG = "Pt John Smith MRN 1234567 seen today"
WEAK = "Her office said to call 617-555-0134"
CLEAN = "Draft the IRB protocol together"


@dataclass
class Surface:
    client: object
    url: str
    data: dict  # everything but the guarded text
    field: str  # the guarded field's name in the form
    saved: Callable[[str], bool]  # whether a row holds the text
    confirm: str = "confirm_no_phi"

    def post(self, text: str, confirmed: bool = False):
        data = {**self.data, self.field: text}
        if confirmed:
            data[self.confirm] = "y"
        return self.client.post(self.url, data=data)


def _workspace(app, make_user, login):
    fellow = make_user(role="fellow", name="Dr. Fellow Member")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Mentor Member")
    ask(app, login, fellow, mentor)
    with app.app_context():
        request_id = db.session.scalars(select(MentorshipRequest.id)).one()
    response = login(app.test_client(), mentor).post(f"/mentorship/requests/{request_id}/accept")
    mentorship_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return login(app.test_client(), fellow), f"/mentorship/{mentorship_id}", mentorship_id


def _holds(app, column, text, *where):
    with app.app_context():
        return db.session.scalar(select(column).where(column.contains(text), *where).limit(1)) is not None


def mentoring_request(app, make_user, login):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    return Surface(login(app.test_client(), fellow), f"/mentorship/ask/{mentor.id}", {"type": "research"},
                   "message", lambda text: _holds(app, MentorshipRequest.message, text))


def decline_note(app, make_user, login):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    ask(app, login, fellow, mentor)
    with app.app_context():
        request_id = db.session.scalars(select(MentorshipRequest.id)).one()
    return Surface(login(app.test_client(), mentor), f"/mentorship/requests/{request_id}/decline",
                   {"reason": "not_available", "confirm": "yes"}, "note",
                   lambda text: _holds(app, MentorshipRequest.response_note, text))


def meeting_notes(app, make_user, login, private=False):
    client, base, _ = _workspace(app, make_user, login)
    data = {"meeting-met_on": date.today().isoformat(), "meeting-minutes": "30", "meeting-mode": "video"}
    if private:
        data["meeting-notes_private"] = "y"
    return Surface(client, f"{base}/meetings", data, "meeting-notes", lambda text: _holds(app, Meeting.notes, text),
                   "meeting-confirm_no_phi")


def edited_meeting_notes(app, make_user, login):
    """Correcting a logged meeting (its own page) guards the notes as logging it does."""
    client, base, mentorship_id = _workspace(app, make_user, login)
    data = {"meeting-met_on": date.today().isoformat(), "meeting-minutes": "30", "meeting-mode": "video"}
    assert client.post(f"{base}/meetings", data={**data, "meeting-notes": "First"}).status_code == 302
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.mentorship_id == mentorship_id))
    return Surface(client, f"{base}/meetings/{meeting_id}/edit", data, "meeting-notes",
                   lambda text: _holds(app, Meeting.notes, text), "meeting-confirm_no_phi")


def meeting_topics(app, make_user, login):
    client, base, _ = _workspace(app, make_user, login)
    data = {"meeting-met_on": date.today().isoformat(), "meeting-minutes": "30", "meeting-mode": "video"}
    return Surface(client, f"{base}/meetings", data, "meeting-topics", lambda text: _holds(app, Meeting.topics, text),
                   "meeting-confirm_no_phi")


def goal(app, make_user, login):
    client, base, _ = _workspace(app, make_user, login)
    return Surface(client, f"{base}/goals", {}, "goal-title", lambda text: _holds(app, Goal.title, text),
                   "goal-confirm_no_phi")


def compact(app, make_user, login):
    client, base, _ = _workspace(app, make_user, login)
    return Surface(client, f"{base}/compact", {"compact-cadence_days": "14", "compact-length_months": "6"},
                   "compact-expectations", lambda text: _holds(app, Mentorship.expectations, text),
                   "compact-confirm_no_phi")


def closing_comment(app, make_user, login):
    client, base, _ = _workspace(app, make_user, login)
    return Surface(client, f"{base}/end", {"end-outcome": "completed", "end-rating": "5", "confirm": "yes"},
                   "end-comment", lambda text: _holds(app, Mentorship.closing_comment, text), "end-confirm_no_phi")


@pytest.fixture
def app(make_app):
    # Each surface is posted several times; the posting limit has its own test.
    return make_app(OPPORTUNITY_POST_RATE_LIMIT="1000 per minute")


def new_opportunity(app, make_user, login, kind="job", field="description"):
    client = login(app.test_client(), make_user(role="alumni"))
    data = valid_form(app, kind)
    column = getattr(Opportunity, field)
    return Surface(client, f"/opportunities/new/{kind}", data, field, lambda text: _holds(app, column, text))


def _posted(app, make_user, login):
    poster = login(app.test_client(), make_user(role="alumni"))
    response = poster.post("/opportunities/new/job", data=valid_form(app, "job"))
    assert response.status_code == 302
    return poster, int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def edited_opportunity(app, make_user, login):
    poster, opportunity_id = _posted(app, make_user, login)
    data = valid_form(app, "job")
    data.pop("deadline")  # an edit may keep any deadline
    return Surface(poster, f"/opportunities/{opportunity_id}/edit", data, "description",
                   lambda text: _holds(app, Opportunity.description, text))


def interest_note(app, make_user, login):
    _, opportunity_id = _posted(app, make_user, login)
    client = login(app.test_client(), make_user(role="fellow"))
    return Surface(client, f"/opportunities/{opportunity_id}/interest", {}, "note",
                   lambda text: _holds(app, ExpressionOfInterest.note, text))


def profile_text(app, make_user, login, field="bio", role="alumni"):
    client = login(app.test_client(), make_user(role=role))
    column = getattr(Profile, field)
    data = profile_form(app, academic_rank="professor" if role == "faculty" else None)
    return Surface(client, "/members/me/edit", data, field, lambda text: _holds(app, column, text))


SURFACES = {
    "mentoring request": mentoring_request,
    "decline note": decline_note,
    "shared meeting notes": meeting_notes,
    "private meeting notes": lambda *a: meeting_notes(*a, private=True),
    "meeting topics": meeting_topics,
    "edited meeting notes": edited_meeting_notes,
    "goal": goal,
    "compact": compact,
    "closing comment": closing_comment,
    "opportunity title": lambda *a: new_opportunity(*a, field="title"),
    "opportunity description": new_opportunity,
    "research authorship": lambda *a: new_opportunity(*a, kind="research", field="authorship"),
    "event description": lambda *a: new_opportunity(*a, kind="conference"),
    "opportunity edit": edited_opportunity,
    "interest note": interest_note,
    "profile headline": lambda *a: profile_text(*a, field="headline"),
    "profile bio": profile_text,
    "profile current position": lambda *a: profile_text(*a, field="current_position"),
    "profile title": lambda *a: profile_text(*a, field="title", role="faculty"),
}


@pytest.fixture(params=list(SURFACES))
def surface(request, app, make_user, login):
    return SURFACES[request.param](app, make_user, login)


def test_strong_identifiers_are_refused_even_when_confirmed(surface):
    for confirmed in (False, True):
        refused = surface.post(STRONG, confirmed)
        page = refused.data.decode()
        assert refused.status_code == 400
        assert "cannot be sent or saved" in page
        assert '<mark title="medical record number">1234567</mark>' in page
        assert f'name="{surface.confirm}"' not in page  # nothing to confirm: the identifiers must go
        assert check_page(refused.data) == []
    assert not surface.saved("1234567")


def test_weaker_identifiers_are_saved_once_confirmed(surface):
    refused = surface.post(WEAK)
    page = refused.data.decode()
    assert refused.status_code == 400
    assert "tick the box" in page and '<mark title="phone or fax number">617-555-0134</mark>' in page
    assert f'name="{surface.confirm}"' in page
    assert not surface.saved("617-555-0134")
    assert surface.post(WEAK, confirmed=True).status_code == 302
    assert surface.saved("617-555-0134")


def test_clean_text_saves_as_before(surface):
    saved = surface.post(CLEAN)
    assert saved.status_code == 302
    assert surface.saved(CLEAN)
