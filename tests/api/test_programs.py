"""Programs, cohorts, rosters and invitations over the API, against the programs pages: the roster is the
roster page's, an email only where the member's profile shows it; an invitation sent through the API is the
roster page's (the same mail, a pending invitation, nobody placed on the roster until they accept), validated
by the same rules; another program's staff find nothing; every list keeps its query budget."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from network.cohorts.models import Invitation, InvitationStatus
from network.extensions import db
from network.members.models import User
from network.profiles.models import Profile
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
from network.taxonomy.models import Specialty
from network.types import utcnow
from tests.api.helpers import bearer, issue_token
from tests.conftest import outbox
from tests.profiles_helpers import bulk_members
from tests.test_programs import make_program

LINK = re.compile(r"http://[^/\s]+/invitations/[\w-]+")


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def program(app, make_user):
    """A program with its director (also a faculty advisor of its cohort) and four fellows: their emails
    shown to members, to connected members, to nobody, and a fellow with no profile yet."""
    setup = make_program(app, make_user, fellows=4)
    with app.app_context():
        pmr = db.session.scalars(select(Specialty).where(Specialty.slug == "pmr")).one()
        setup["background"] = pmr.name
        db.session.add(CohortMembership(cohort_id=setup["cohort"], user_id=setup["director"].id,
                                        role=CohortRole.FACULTY))
        for fellow, level in zip(setup["fellows"], ("members", "connected", "private"), strict=False):
            db.session.add(Profile(user_id=fellow.id, email_visibility=level))
        db.session.get(User, setup["fellows"][0].id).training_background_id = pmr.id
        db.session.commit()
    setup["token"] = bearer(issue_token(app, setup["director"]))
    return setup


def pages(client, url, headers) -> list:
    """Every item of a list, following its Link header."""
    items = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        items += response.json
        found = re.search(r"<([^>]+)>; rel=\"next\"", response.headers.get("Link", ""))
        url = found.group(1) if found else None
    return items


def test_the_roster_is_the_roster_pages_with_emails_as_profiles_show_them(app, login, program):
    client = app.test_client()
    members = pages(client, f"/api/v1/cohorts/{program['cohort']}/members?limit=2", program["token"])
    page = login(app.test_client(), program["director"]).get(f"/cohorts/{program['cohort']}").get_data(as_text=True)
    table = page[page.index('id="roster"'):page.index("</table>", page.index('id="roster"'))]
    assert [m["id"] for m in members] == [int(i) for i in re.findall(r'<a href="/members/(\d+)">', table)]
    assert [m["name"] for m in members] == re.findall(r'<a href="/members/\d+">([^<]+)</a>', table)
    by_id = {m["id"]: m for m in members}
    director, (members_level, connected, private, no_profile) = program["director"], program["fellows"]
    assert by_id[director.id]["role"] == "faculty" and by_id[director.id]["member_role"] == "faculty"
    assert by_id[members_level.id]["role"] == "fellow" and by_id[members_level.id]["member_role"] == "fellow"
    assert by_id[members_level.id]["training_background"] == program["background"]
    assert "training_background" not in by_id[connected.id]
    # The director advises the cohort, so is connected to its fellows: "connected" emails show, private not.
    assert by_id[members_level.id]["email"] == members_level.email
    assert by_id[connected.id]["email"] == connected.email
    assert "email" not in by_id[private.id] and "email" not in by_id[no_profile.id]
    assert "email" not in by_id[director.id]  # no profile yet: shown to nobody, as on a profile page


def test_an_administrator_not_connected_sees_only_the_emails_shared_with_members(app, make_user, program):
    admin = make_user(role="admin")
    members = app.test_client().get(f"/api/v1/cohorts/{program['cohort']}/members",
                                    headers=bearer(issue_token(app, admin))).json
    emails = {m["id"]: m.get("email") for m in members}
    members_level, connected, private, no_profile = program["fellows"]
    assert emails[members_level.id] == members_level.email
    assert emails[connected.id] is None and emails[private.id] is None and emails[no_profile.id] is None


def invitation_mail(app, email):
    mails = [m for m in outbox(app, "cohort-invitation") if m.recipient == email]
    assert len(mails) == 1, mails
    return mails[0]


def test_an_invitation_is_the_roster_pages_mail_and_a_pending_invitation(app, make_user, login, program):
    member = make_user(role="fellow", name="Dr. Has An Account")
    client = app.test_client()
    roster = login(app.test_client(), program["director"])
    assert roster.post(f"/cohorts/{program['cohort']}/invitations",
                       data={"invite-emails": "page.invitee@example.org", "invite-role": "fellow"}).status_code == 302
    response = client.post(f"/api/v1/cohorts/{program['cohort']}/invitations", headers=program["token"],
                           json={"emails": ["API.Invitee@Example.org ", member.email], "role": "fellow"})
    assert response.status_code == 201, response.json
    assert response.json["skipped"] == []
    invited = {i["email"]: i for i in response.json["invited"]}
    assert set(invited) == {"api.invitee@example.org", member.email}
    assert all(i["state"] == "sent" and i["role"] == "fellow" for i in invited.values())
    page_mail, api_mail = (invitation_mail(app, email) for email in ("page.invitee@example.org",
                                                                     "api.invitee@example.org"))
    assert api_mail.subject == page_mail.subject
    assert LINK.sub("LINK", api_mail.text_body) == LINK.sub("LINK", page_mail.text_body)
    assert LINK.sub("LINK", api_mail.html_body) == LINK.sub("LINK", page_mail.html_body)
    with app.app_context():
        stored = db.session.scalars(select(Invitation).where(Invitation.email.in_(invited))).all()
        assert {i.status for i in stored} == {InvitationStatus.SENT}
        # Nobody is on the roster without accepting: no account made, the existing member not placed.
        assert db.session.scalar(select(User.id).where(User.email == "api.invitee@example.org")) is None
        assert db.session.scalar(select(CohortMembership.id).filter_by(cohort_id=program["cohort"],
                                                                       user_id=member.id)) is None
    assert member.id not in {m["id"] for m in client.get(f"/api/v1/cohorts/{program['cohort']}/members",
                                                         headers=program["token"]).json}
    # The member joins by accepting their own link.
    link = LINK.search(invitation_mail(app, member.email).text_body).group(0).split("/", 3)[3]
    assert login(app.test_client(), member).post("/" + link).status_code == 302
    assert member.id in {m["id"] for m in client.get(f"/api/v1/cohorts/{program['cohort']}/members",
                                                     headers=program["token"]).json}
    listed = client.get(f"/api/v1/cohorts/{program['cohort']}/invitations?state=accepted", headers=program["token"])
    assert [i["email"] for i in listed.json] == [member.email] and "accepted_at" in listed.json[0]


def invitation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


@pytest.mark.parametrize(("body", "field"), [
    ({"emails": ["not-an-email", "fine@example.org"], "role": "fellow"}, "not-an-email"),
    ({"emails": [f"person{n}@example.org" for n in range(51)]}, "emails"),
    ({"emails": []}, "emails"),
    ({"emails": ["  ", ""]}, "at least one"),
    ({"emails": ["fine@example.org"], "role": "admin"}, "role"),
    ({"role": "fellow"}, "emails"),
])
def test_invitations_are_checked_as_the_roster_pages_form(app, program, body, field):
    response = app.test_client().post(f"/api/v1/cohorts/{program['cohort']}/invitations", json=body,
                                      headers=program["token"])
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in str(response.json["errors"])
    assert invitation_count(app) == 0 and outbox(app, "cohort-invitation") == []


def test_people_in_the_cohort_or_invited_are_skipped_and_nobody_new_is_a_conflict(app, program):
    client = app.test_client()
    url = f"/api/v1/cohorts/{program['cohort']}/invitations"
    fellow = program["fellows"][0]
    assert client.post(url, json={"emails": ["first@example.org"]}, headers=program["token"]).status_code == 201
    mixed = client.post(url, json={"emails": ["first@example.org", fellow.email, "second@example.org"]},
                        headers=program["token"])
    assert mixed.status_code == 201
    assert [i["email"] for i in mixed.json["invited"]] == ["second@example.org"]
    assert mixed.json["skipped"] == ["first@example.org", fellow.email]
    again = client.post(url, json={"emails": ["FIRST@example.org", fellow.email]}, headers=program["token"])
    assert again.status_code == 409 and "nothing was sent" in again.json["detail"]
    assert invitation_count(app) == 2 and len(outbox(app, "cohort-invitation")) == 2


def test_a_graduated_class_takes_no_invitations(app, program):
    with app.app_context():
        db.session.get(Cohort, program["cohort"]).graduated_at = utcnow()
        db.session.commit()
    response = app.test_client().post(f"/api/v1/cohorts/{program['cohort']}/invitations",
                                      json={"emails": ["late@example.org"]}, headers=program["token"])
    assert response.status_code == 409 and "takes no new members" in response.json["detail"]
    assert invitation_count(app) == 0


def test_another_programs_staff_and_former_staff_find_nothing_and_change_nothing(app, make_user, program):
    other = make_program(app, make_user, slug="other-program")
    former = make_user(role="faculty")
    with app.app_context():
        staff = ProgramStaff(program_id=program["program"], user_id=former.id, role="faculty")
        db.session.add_all([staff, CohortMembership(cohort_id=program["cohort"], user_id=former.id,
                                                    role=CohortRole.FACULTY)])
        db.session.flush()
        db.session.delete(staff)
        db.session.commit()
    client = app.test_client()
    for person in (other["director"], former):
        headers = bearer(issue_token(app, person))
        for url in (f"/api/v1/programs/{program['program']}", f"/api/v1/programs/{program['program']}/cohorts",
                    f"/api/v1/cohorts/{program['cohort']}", f"/api/v1/cohorts/{program['cohort']}/members",
                    f"/api/v1/cohorts/{program['cohort']}/invitations"):
            assert client.get(url, headers=headers).status_code == 404, url
        refused = client.post(f"/api/v1/cohorts/{program['cohort']}/invitations", headers=headers,
                              json={"emails": ["intruder@example.org"]})
        assert refused.status_code == 404
        assert [p["id"] for p in client.get("/api/v1/programs", headers=headers).json] == \
            ([other["program"]] if person is other["director"] else [])
    assert invitation_count(app) == 0 and outbox(app, "cohort-invitation") == []
    fellow = program["fellows"][0]
    assert client.get("/api/v1/programs", headers=bearer(issue_token(app, fellow))).status_code == 403


def test_programs_and_cohorts_are_as_their_pages_show_them(app, program):
    client = app.test_client()
    listed = client.get("/api/v1/programs", headers=program["token"])
    assert [p["id"] for p in listed.json] == [program["program"]]
    shown = client.get(f"/api/v1/programs/{program['program']}", headers=program["token"])
    assert shown.json["slug"] == program["slug"]
    assert shown.json["staff"] == [{"id": program["director"].id, "name": program["director"].name,
                                    "role": "director"}]
    assert client.get(f"/api/v1/programs/{program['program']}", headers={
        **program["token"], "If-None-Match": shown.headers["ETag"]}).status_code == 304
    cohorts = client.get(f"/api/v1/programs/{program['program']}/cohorts", headers=program["token"]).json
    assert [c["id"] for c in cohorts] == [program["cohort"]]
    assert cohorts[0]["counts"] == {"fellows": 4, "faculty": 1, "alumni": 0} and "graduated_at" not in cohorts[0]
    cohort = client.get(f"/api/v1/cohorts/{program['cohort']}", headers=program["token"]).json
    assert cohort["start_date"] == "2026-07-01" and cohort["invitations"]["sent"] == 0


def bulk(app, program, size: int) -> None:
    """Grow the director's programs, the program's cohorts, the roster and the invitations to ``size`` each."""
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Program))
        programs = [Program(slug=f"bulk-{n}", name=f"Bulk Program {n}", institution="Bulk") for n in
                    range(have, size)]
        db.session.add_all(programs)
        db.session.flush()
        db.session.add_all(ProgramStaff(program_id=p.id, user_id=program["director"].id, role="director")
                           for p in programs)
        have = db.session.scalar(select(func.count()).select_from(Cohort).filter_by(program_id=program["program"]))
        db.session.add_all(Cohort(program_id=program["program"], name=f"Bulk class {n}",
                                  start_date=date(2000, 1, 1) + timedelta(days=n), end_date=date(2040, 1, 1))
                           for n in range(have, size))
        have = db.session.scalar(select(func.count()).select_from(Invitation))
        db.session.add_all(Invitation(cohort_id=program["cohort"], email=f"bulk{n}@example.org",
                                      role=CohortRole.FELLOW, token_hash=f"{n:064d}") for n in range(have, size))
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(CohortMembership)
                                 .filter_by(cohort_id=program["cohort"]))
    if size > have:
        ids = bulk_members(app, size - have, prefix="Dr. Bulk Roster")
        with app.app_context():
            db.session.add_all(CohortMembership(cohort_id=program["cohort"], user_id=i, role=CohortRole.FELLOW)
                               for i in ids)
            db.session.commit()


def test_every_list_keeps_its_query_budget(app, program, count_queries):
    client = app.test_client()
    urls = ["/api/v1/programs?limit=100", f"/api/v1/programs/{program['program']}/cohorts?limit=100",
            f"/api/v1/cohorts/{program['cohort']}/members?limit=100",
            f"/api/v1/cohorts/{program['cohort']}/invitations?limit=100",
            f"/api/v1/cohorts/{program['cohort']}/invitations?limit=100&state=sent"]
    counts = {}
    for size in (5, 500):
        bulk(app, program, size)
        for url in urls:
            client.get(url, headers=program["token"])  # the token's first use is written down once
            with count_queries() as queries:
                response = client.get(url, headers=program["token"])
            assert response.status_code == 200 and len(response.json) == min(size, 100), (url, size)
            counts.setdefault(url, []).append(len(queries))
    for url, (small, large) in counts.items():
        assert small == large <= 8, (url, small, large)
