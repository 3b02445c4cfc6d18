"""Profiles: editing and validation, photos, privacy on every surface, saved people, own data, deletion."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from network.audit.models import AuditLog
from network.extensions import db
from network.members.models import User
from network.profiles.models import Profile, SavedMember
from network.programs.models import Cohort, CohortMembership, CohortRole, Program
from network.taxonomy.models import Interest, Specialty
from tests.html_checks import check_page
from tests.profiles_helpers import image_bytes
from tests.test_data_export import read_export


def term_id(app, model, name):
    with app.app_context():
        return db.session.scalar(select(model.id).where(model.name == name))


def profile_form(app, **overrides):
    data = {
        "name": "Dr. Lena Ortiz", "headline": "Interventional pain, neuromodulation", "bio": "Hello **there**",
        "primary_specialty_id": str(term_id(app, Specialty, "Pain medicine")),
        "training_background_id": str(term_id(app, Specialty, "Physical medicine and rehabilitation (PM&R)")),
        "interests": [str(term_id(app, Interest, "Neuromodulation / spinal cord stimulation")),
                      str(term_id(app, Interest, "Research methods"))],
        "institution": "Lone Star Pain", "city": "Austin", "region": "TX", "country": "US",
        "time_zone": "America/Chicago", "languages": "English, Spanish", "link1": "https://lena.example.org",
        "graduation_year": "2021", "current_position": "Attending", "career_goal": "research",
        "email_visibility": "members", "links_visibility": "members", "location_visibility": "members",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_program_with(app, *member_ids, name="Northbridge"):
    """A program whose one cohort holds the given members; returns the program id."""
    from datetime import date

    with app.app_context():
        program = Program(slug=name.lower(), name=f"{name} Pain Fellowship", institution=f"{name} University")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                        end_date=date(2027, 6, 30))
        db.session.add(cohort)
        db.session.flush()
        for member_id in member_ids:
            db.session.add(CohortMembership(cohort_id=cohort.id, user_id=member_id, role=CohortRole.FELLOW))
        db.session.commit()
        return program.id


def test_edit_profile_saves_every_field_and_shows_it(app, make_user, login):
    member = make_user(role="alumni")
    client = login(app.test_client(), member)
    page = client.get("/members/me/edit")
    assert page.status_code == 200
    assert check_page(page.data) == []
    response = client.post("/members/me/edit", data=profile_form(app))
    assert response.status_code == 302
    shown = client.get(f"/members/{member.id}")
    text = shown.data.decode()
    for expected in ("Dr. Lena Ortiz", "Interventional pain, neuromodulation", "<strong>there</strong>",
                     "Neuromodulation / spinal cord stimulation", "Lone Star Pain", "Austin, TX, US",
                     "America/Chicago", "English, Spanish", "2021",
                     "Physical medicine and rehabilitation (PM&amp;R)"):
        assert expected in text, expected
    assert check_page(shown.data) == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Enter your name"),
    ({"headline": "x" * 161}, "Field cannot be longer than 160 characters"),
    ({"bio": "x" * 5001}, "at most 5,000 characters"),
    ({"link1": "javascript:alert(1)"}, "must start with https://"),
    ({"country": "ZZ"}, "Not a valid choice"),
    ({"time_zone": "Mars/Olympus"}, "Not a valid choice"),
    ({"graduation_year": "1850"}, "Enter a year between 1970"),
    ({"primary_specialty_id": "999999"}, "Not a valid choice"),
    ({"email_visibility": "everyone"}, "Not a valid choice"),
])
def test_bad_profile_input_is_refused_next_to_the_field(app, make_user, login, overrides, message):
    member = make_user(role="alumni")
    client = login(app.test_client(), member)
    response = client.post("/members/me/edit", data=profile_form(app, **overrides))
    assert response.status_code == 400
    assert message in response.data.decode()
    with app.app_context():
        assert db.session.get(User, member.id).name == member.name
        assert db.session.scalar(select(func.count()).select_from(Profile)) == 0


def test_bio_markdown_is_sanitised(app, make_user, login):
    member = make_user()
    client = login(app.test_client(), member)
    client.post("/members/me/edit", data=profile_form(
        app, bio='<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>'))
    page = client.get(f"/members/{member.id}").data.decode()
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page and "<img src=x" not in page


def test_completeness_meter_names_what_is_missing(app, make_user, login):
    member = make_user(role="fellow")
    client = login(app.test_client(), member)
    page = client.get("/members/me/edit").data.decode()
    assert "0% complete" in page and "a photo" in page and "your career goal" in page
    client.post("/members/me/edit", data=profile_form(app))
    page = client.get("/members/me/edit").data.decode()
    assert "a photo" in page and "at least three interests" in page and "your career goal" not in page
    home = client.get("/").data.decode()
    assert "Complete your profile" in home


def test_photo_is_reencoded_to_a_square_jpeg(app, make_user, login):
    import io

    from PIL import Image

    member = make_user()
    client = login(app.test_client(), member)
    original = image_bytes("PNG", size=(300, 200))
    response = client.post("/members/me/photo", data={"photo": (io.BytesIO(original), "me.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    served = client.get(f"/members/{member.id}/photo")
    assert served.mimetype == "image/jpeg"
    assert served.data != original
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.format == "JPEG" and image.size == (320, 320)


def test_not_an_image_is_a_form_error(app, make_user, login):
    import io

    member = make_user()
    client = login(app.test_client(), member)
    response = client.post("/members/me/photo", data={"photo": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not an image we can read" in response.data.decode()
    assert client.get(f"/members/{member.id}/photo").status_code == 404


def test_photo_over_2_mb_gets_413_with_a_message(app, make_user, login):
    import io

    member = make_user()
    client = login(app.test_client(), member)
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    # Encoded here, in memory: the test client would spool a body this large to a temporary file.
    boundary, body = encode_multipart({"photo": FileStorage(io.BytesIO(b"\xff" * (2 * 1024 * 1024 + 10)),
                                                               "big.jpg", content_type="image/jpeg")})
    response = client.post("/members/me/photo", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "Photos can be at most 2 MB" in response.data.decode()


def test_remove_photo(app, make_user, login):
    import io

    member = make_user()
    client = login(app.test_client(), member)
    client.post("/members/me/photo", data={"photo": (io.BytesIO(image_bytes()), "me.png")},
                content_type="multipart/form-data")
    assert client.get(f"/members/{member.id}/photo").status_code == 200
    asked = client.post("/members/me/photo/delete")
    assert asked.status_code == 200 and "Remove your photo?" in asked.data.decode()
    assert client.get(f"/members/{member.id}/photo").status_code == 200  # nothing removed before confirming
    client.post("/members/me/photo/delete", data={"confirm": "yes"})
    assert client.get(f"/members/{member.id}/photo").status_code == 404


# -- privacy -------------------------------------------------------------------------------------


@pytest.fixture
def private_people(app, make_user, login):
    """An owner with email 'connected', location 'private'; a program mate; an outsider."""
    owner = make_user(role="alumni", email="owner@example.org", name="Dr. Owner Private")
    mate = make_user(role="fellow", name="Dr. Program Mate")
    outsider = make_user(role="fellow", name="Dr. Out Sider")
    client = login(app.test_client(), owner)
    client.post("/members/me/edit", data=profile_form(app, name="Dr. Owner Private", email_visibility="connected",
                                                      location_visibility="private", links_visibility="connected"))
    make_program_with(app, owner.id, mate.id)
    return owner, mate, outsider


def test_profile_page_respects_each_field(app, login, private_people):
    owner, mate, outsider = private_people
    as_owner = login(app.test_client(), owner).get(f"/members/{owner.id}").data.decode()
    as_mate = login(app.test_client(), mate).get(f"/members/{owner.id}").data.decode()
    as_outsider = login(app.test_client(), outsider).get(f"/members/{owner.id}").data.decode()
    assert "owner@example.org" in as_owner and "Austin" in as_owner
    assert "owner@example.org" in as_mate and "lena.example.org" in as_mate and "Austin" not in as_mate
    assert "owner@example.org" not in as_outsider and "lena.example.org" not in as_outsider
    assert "Austin" not in as_outsider


def test_directory_cards_and_location_filters_respect_privacy(app, login, private_people):
    owner, _mate, outsider = private_people
    client = login(app.test_client(), outsider)
    listing = client.get("/members/?q=Owner").data.decode()
    assert "Dr. Owner Private" in listing and "Austin" not in listing and "owner@example.org" not in listing
    # A hidden location cannot be discovered by filtering on it.
    assert "Dr. Owner Private" not in client.get("/members/?region=TX").data.decode()
    assert "Dr. Owner Private" not in client.get("/members/?country=US").data.decode()
    # The owner finds themselves.
    assert "Dr. Owner Private" in login(app.test_client(), owner).get("/members/?region=tx").data.decode()


def test_visitors_and_pending_members_see_no_member_data(app, make_user, login, private_people):
    owner, _, _ = private_people
    anonymous = app.test_client()
    for path in (f"/members/{owner.id}", "/members/", f"/members/{owner.id}/photo", "/members/?q=Owner"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    pending = login(app.test_client(), make_user(status="pending"))
    for path in (f"/members/{owner.id}", "/members/?q=Owner"):
        response = pending.get(path)
        assert response.headers["Location"] == "/pending"


def test_pending_and_deleted_members_are_not_shown(app, make_user, login):
    viewer = make_user()
    waiting = make_user(status="pending", name="Dr. Not Yet")
    client = login(app.test_client(), viewer)
    assert client.get(f"/members/{waiting.id}").status_code == 404
    assert "Dr. Not Yet" not in client.get("/members/?q=Yet").data.decode()


def test_export_holds_my_data_and_nothing_hidden_of_others(app, login, private_people):
    owner, _mate, outsider = private_people
    outsider_client = login(app.test_client(), outsider)
    outsider_client.post(f"/members/{owner.id}/save")
    response = outsider_client.get("/members/me/export")
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data, page = read_export(response)
    assert data["account"]["email"] == outsider.email
    assert [s["name"] for s in data["saved_members"]] == ["Dr. Owner Private"]
    assert "owner@example.org" not in json.dumps(data) + page and "Austin" not in json.dumps(data) + page
    own, _page = read_export(login(app.test_client(), owner).get("/members/me/export"))
    assert own["profile"]["city"] == "Austin" and own["profile"]["visibility"]["location"] == "private"
    assert own["cohorts"][0]["cohort"] == "Class of 2027"


# -- saved people ---------------------------------------------------------------------------------


def test_save_and_unsave_members(app, make_user, login):
    viewer = make_user()
    other = make_user(role="alumni", name="Dr. Worth Saving")
    client = login(app.test_client(), viewer)
    assert "You have not saved anyone yet" in client.get("/members/saved").data.decode()
    client.post(f"/members/{other.id}/save")
    client.post(f"/members/{other.id}/save")  # twice is still once
    saved = client.get("/members/saved")
    assert "Dr. Worth Saving" in saved.data.decode()
    assert check_page(saved.data) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SavedMember)) == 1
    client.post(f"/members/{other.id}/unsave")
    assert "member-card" not in client.get("/members/saved").data.decode()
    response = client.post(f"/members/{viewer.id}/save", follow_redirects=True)
    assert "no need to save yourself" in response.data.decode()


def test_save_returns_to_the_directory_page_it_came_from(app, make_user, login):
    viewer = make_user()
    other = make_user(role="alumni")
    client = login(app.test_client(), viewer)
    response = client.post(f"/members/{other.id}/save", data={"next": "/members/?q=test"})
    assert response.headers["Location"] == "/members/?q=test"
    response = client.post(f"/members/{other.id}/save", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/members/{other.id}"


# -- deletion -------------------------------------------------------------------------------------


def test_delete_account_needs_the_password_and_erases_personal_data(app, make_user, login):
    import io

    member = make_user(role="alumni", email="leaving@example.org")
    other = make_user()
    client = login(app.test_client(), member)
    client.post("/members/me/edit", data=profile_form(app, name="Dr. Leaving Soon"))
    client.post("/members/me/photo", data={"photo": (io.BytesIO(image_bytes()), "me.png")},
                content_type="multipart/form-data")
    login(app.test_client(), other).post(f"/members/{member.id}/save")
    make_program_with(app, member.id)
    wrong = client.post("/members/me/delete", data={"password": "not my password"})
    assert wrong.status_code == 400 and "not your password" in wrong.data.decode()
    response = client.post("/members/me/delete", data={"password": member.password})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.name == "Former member" and "leaving" not in user.email and user.deleted_at is not None
        assert db.session.get(Profile, member.id) is None
        assert db.session.scalar(select(func.count()).select_from(SavedMember)) == 0
        assert db.session.scalar(select(func.count()).select_from(CohortMembership)) == 0
        assert db.session.scalars(select(AuditLog.action)).all() == ["member.delete-self"]
    assert client.get("/auth/account").status_code == 302  # signed out
    viewer = login(app.test_client(), other)
    assert viewer.get(f"/members/{member.id}").status_code == 404
    assert "member-card" not in viewer.get("/members/?q=Leaving").data.decode()
    again = app.test_client().post("/auth/login", data={"email": "leaving@example.org", "password": member.password})
    assert again.status_code == 400


def test_last_seen_is_written_at_most_once_per_window(app, make_user, login, count_queries):
    member = make_user()
    client = login(app.test_client(), member)
    client.get("/members/saved")
    with app.app_context():
        first = db.session.get(User, member.id).last_seen_at
    assert first is not None
    with count_queries() as statements:
        client.get("/members/saved")
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)


def test_control_characters_are_dropped_not_a_server_error(app, make_user, login):
    """PostgreSQL refuses NUL in text: every text field's filter drops control characters first."""
    member = make_user(role="alumni")
    client = login(app.test_client(), member)
    response = client.post("/members/me/edit", data=profile_form(app, name="Dr.\x00 Nul\x07", bio="a\x00b\nc"))
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, member.id)
        assert (user.name, user.profile.bio) == ("Dr. Nul", "ab\nc")
    login_page = app.test_client().post("/auth/login", data={"email": "x\x00@example.org", "password": "x" * 12})
    assert login_page.status_code == 400
    assert client.get("/members/", query_string={"region": "T\x00X", "q": "pain\x00"}).status_code == 200
    saved = client.post(f"/members/{make_user().id}/save", data={"next": "/members/\x00?x"})
    assert saved.headers["Location"].startswith("/members/") and "\x00" not in saved.headers["Location"]
