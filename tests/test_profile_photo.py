"""Profile photos and every other upload: a refused file keeps what the member had (stored or typed) and saves
nothing; a photo chosen in the profile form is saved with it, all or nothing; a file over the limit gets its
own message on its own form, whatever its size, never the generic "too large" page."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from network.extensions import db
from network.identity.models import IdentityProvider
from network.identity.saml_metadata import MAX_METADATA_BYTES
from network.members.models import User
from network.profiles.models import Profile
from tests.profiles_helpers import image_bytes
from tests.test_profiles import profile_form
from tests.test_programs import make_program
from tests.test_roster_import import HEADER, written

NOT_AN_IMAGE = b"%PDF-1.4 this is a document renamed to look like a photo"
TOO_LARGE = "Photos can be at most 2 MB"
#: Between the photo limit (2 MB) and the request limit (MAX_CONTENT_LENGTH, 4 MB): the view reads the form.
OVER_THE_PHOTO_LIMIT = 2 * 1024 * 1024 + 10
#: Over the request limit: refused while the CSRF check reads the form, before any view runs.
OVER_THE_REQUEST_LIMIT = 5 * 1024 * 1024


def post_files(client, url: str, fields: dict, files: dict):
    """A multipart POST encoded in memory (the test client would spool a large body to a temporary file)."""
    values = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            values.add(name, item)
    for name, (data, filename, mimetype) in files.items():
        values.add(name, FileStorage(io.BytesIO(data), filename, content_type=mimetype))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def field_values(html: str) -> dict[str, str]:
    """What each text input and textarea of a page holds, by name."""
    values = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name, value = re.search(r'\bname="([^"]*)"', tag), re.search(r'\bvalue="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag:
            values[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea\b[^>]*\bname="([^"]*)"[^>]*>(.*?)</textarea>', html, re.DOTALL):
        values[name] = unescape(text).strip()
    return values


def selected(html: str, name: str) -> str | None:
    select_tag = re.search(rf'<select\b[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    option = re.search(r'<option\b[^>]*\bselected[^>]*\bvalue="([^"]*)"|<option\b[^>]*\bvalue="([^"]*)"[^>]*\bselected',
                       select_tag.group(1))
    return option and (option.group(1) or option.group(2))


def token(client, url: str = "/members/me/edit") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def stored(app, member_id: int) -> tuple:
    with app.app_context():
        user = db.session.get(User, member_id)
        profile = db.session.get(Profile, member_id)
        return (user.name, profile.headline if profile else None, profile.city if profile else None,
                profile.bio if profile else None, profile.photo_version if profile else 0)


@pytest.fixture
def alumna(app, make_user, login):
    """An alumna whose profile is saved, signed in."""
    member = make_user(role="alumni", name="Dr. Lena Ortiz")
    client = login(app.test_client(), member)
    assert client.post("/members/me/edit", data=profile_form(app)).status_code == 302
    return member, client


# -- 1. a refused photo on its own keeps every stored field ---------------------------------------------------


def test_a_non_image_renamed_jpg_keeps_every_stored_field_and_saves_nothing(app, alumna):
    member, client = alumna
    before = stored(app, member.id)
    response = post_files(client, "/members/me/photo", {}, {"photo": (NOT_AN_IMAGE, "holiday.jpg", "image/jpeg")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not an image we can read" in page
    values = field_values(page)
    assert values["name"] == "Dr. Lena Ortiz"
    assert values["headline"] == "Interventional pain, neuromodulation"
    assert values["city"] == "Austin" and values["institution"] == "Lone Star Pain"
    assert values["bio"] == "Hello **there**"
    assert selected(page, "country") == "US" and selected(page, "time_zone") == "America/Chicago"
    assert stored(app, member.id) == before
    assert client.get(f"/members/{member.id}/photo").status_code == 404


def test_after_a_refused_photo_saving_the_form_as_shown_keeps_the_profile(app, alumna):
    """The defect's second half: the blanked form, saved with only the name, emptied the profile."""
    member, client = alumna
    page = post_files(client, "/members/me/photo", {}, {"photo": (NOT_AN_IMAGE, "holiday.jpg", "image/jpeg")})
    shown = field_values(page.get_data(as_text=True))
    resubmitted = profile_form(app, **{name: shown[name] for name in ("name", "headline", "city", "institution",
                                                                      "bio", "languages", "link1")})
    assert client.post("/members/me/edit", data=resubmitted).status_code == 302
    assert stored(app, member.id)[:4] == ("Dr. Lena Ortiz", "Interventional pain, neuromodulation", "Austin",
                                          "Hello **there**")


# -- 2. a photo chosen in the profile form is saved with it, all or nothing ------------------------------------


def test_a_photo_chosen_in_the_profile_form_is_saved_with_the_profile(app, make_user, login):
    member = make_user(role="alumni")
    client = login(app.test_client(), member)
    response = post_files(client, "/members/me/edit", profile_form(app, headline="New headline"),
                          {"photo": (image_bytes("PNG", size=(300, 200)), "me.png", "image/png")})
    assert response.status_code == 302
    assert stored(app, member.id)[1] == "New headline" and stored(app, member.id)[4] == 1
    served = client.get(f"/members/{member.id}/photo")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your profile is saved." in shown and "Your photo is updated." in shown


def test_the_upload_button_saves_the_photo_and_what_was_typed_and_comes_back_to_the_form(app, alumna):
    member, client = alumna
    response = post_files(client, "/members/me/edit", profile_form(app, headline="Typed, then uploaded",
                                                                   upload="Upload photo"),
                          {"photo": (image_bytes("JPEG", size=(200, 200)), "me.jpg", "image/jpeg")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/me/edit")
    assert stored(app, member.id)[1] == "Typed, then uploaded" and stored(app, member.id)[4] == 1


def test_the_profile_form_without_a_photo_keeps_the_photo(app, alumna):
    member, client = alumna
    post_files(client, "/members/me/edit", profile_form(app), {"photo": (image_bytes(), "me.png", "image/png")})
    response = post_files(client, "/members/me/edit", profile_form(app, headline="Only words"),
                          {"photo": (b"", "", "application/octet-stream")})  # the browser's empty file part
    assert response.status_code == 302
    assert stored(app, member.id)[1] == "Only words" and stored(app, member.id)[4] == 1
    assert client.get(f"/members/{member.id}/photo").status_code == 200


def test_an_invalid_photo_with_the_profile_saves_nothing_and_shows_what_was_typed(app, alumna):
    member, client = alumna
    before = stored(app, member.id)
    typed = profile_form(app, name="Dr. Lena Ortiz-Reyes", headline="Typed headline", city="Dallas",
                         bio="Typed **bio**")
    response = post_files(client, "/members/me/edit", typed, {"photo": (NOT_AN_IMAGE, "me.jpg", "image/jpeg")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    values = field_values(page)
    assert (values["name"], values["headline"], values["city"], values["bio"]) == (
        "Dr. Lena Ortiz-Reyes", "Typed headline", "Dallas", "Typed **bio**")
    # The error sits beside the photo field, tied to it for screen readers.
    assert re.search(r'id="photo-error"[^>]*>[^<]*not an image we can read', page)
    assert re.search(r'<input[^>]*aria-describedby="[^"]*photo-error[^"]*"[^>]*name="photo"', page)
    assert stored(app, member.id) == before
    assert client.get(f"/members/{member.id}/photo").status_code == 404


def test_other_errors_with_a_photo_say_the_photo_was_not_saved(app, alumna):
    member, client = alumna
    before = stored(app, member.id)
    response = post_files(client, "/members/me/edit", profile_form(app, name="", headline="Kept"),
                          {"photo": (image_bytes(), "me.png", "image/png")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter your name." in page and field_values(page)["headline"] == "Kept"
    assert "choose it again" in page
    assert stored(app, member.id) == before


# -- 3. a photo over the limit: the message, on the profile form -----------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.mark.parametrize("size", [OVER_THE_PHOTO_LIMIT, OVER_THE_REQUEST_LIMIT], ids=["over-2-MB", "over-4-MB"])
@pytest.mark.parametrize("url", ["/members/me/edit", "/members/me/photo"])
def test_a_photo_over_2_mb_shows_the_message_on_the_profile_form(csrf_app, make_user, login, url, size):
    app = csrf_app
    member = make_user(role="alumni", name="Dr. Lena Ortiz")
    client = login(app.test_client(), member)
    fields = {"csrf_token": token(client)}
    if url.endswith("/edit"):
        fields.update(profile_form(app, headline="Typed before the big photo"))
    before = stored(app, member.id)
    response = post_files(client, url, fields, {"photo": (b"\xff" * size, "big.jpg", "image/jpeg")})
    if size > app.config["MAX_CONTENT_LENGTH"]:  # refused before a view read the form: back to it, with why
        assert response.status_code == 303 and response.headers["Location"].endswith("/members/me/edit")
        response = client.get(response.headers["Location"])
        assert response.status_code == 200
    else:
        assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert TOO_LARGE in page
    assert "That was too large" not in page  # not the generic error page
    assert 'action="/members/me/edit"' in page and field_values(page)["name"] == "Dr. Lena Ortiz"
    if url.endswith("/edit") and size == OVER_THE_PHOTO_LIMIT:
        assert field_values(page)["headline"] == "Typed before the big photo"
    assert stored(app, member.id) == before


def test_the_photo_input_says_what_the_server_accepts(app, alumna):
    _, client = alumna
    page = client.get("/members/me/edit").get_data(as_text=True)
    photo = re.search(r'<input[^>]*name="photo"[^>]*>', page).group(0)
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in photo
    assert f'data-max-bytes="{2 * 1024 * 1024}"' in photo
    assert 'form="profile-form"' in photo and 'id="profile-form"' in page
    assert 'enctype="multipart/form-data"' in re.search(r'<form[^>]*id="profile-form"[^>]*>', page).group(0)


# -- the rest of the class: the CSV roster import ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1024 * 1024 + 10, OVER_THE_REQUEST_LIMIT], ids=["over-1-MB", "over-4-MB"])
def test_a_roster_over_1_mb_shows_the_message_on_the_import_form(csrf_app, make_user, login, size):
    app = csrf_app
    setup = make_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    url = f"/cohorts/{setup['cohort']}/import"
    before = written(app)
    data = (HEADER.encode() + b"x" * size)[:size]
    response = post_files(client, url, {"csrf_token": token(client, url)},
                          {"roster": (data, "roster.csv", "text/csv")})
    if size > app.config["MAX_CONTENT_LENGTH"]:
        assert response.status_code == 303 and response.headers["Location"].endswith(url)
        response = client.get(response.headers["Location"])
        assert response.status_code == 200
    else:
        assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than 1 MB" in page and "That was too large" not in page
    assert f'action="{url}"' in page
    assert written(app) == before


def test_the_roster_input_says_what_the_server_accepts(app, make_user, login):
    setup = make_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    page = client.get(f"/cohorts/{setup['cohort']}/import").get_data(as_text=True)
    roster = re.search(r'<input[^>]*name="roster"[^>]*>', page).group(0)
    assert 'accept=".csv,text/csv"' in roster and f'data-max-bytes="{1024 * 1024}"' in roster


# -- and an identity provider's SAML metadata file ---------------------------------------------------------------

NEW_SAML_PROVIDER = "/admin/identity-providers/new/saml"


@pytest.mark.parametrize("size", [MAX_METADATA_BYTES + 10, OVER_THE_REQUEST_LIMIT], ids=["over-1-MB", "over-4-MB"])
def test_a_metadata_file_over_1_mb_shows_the_message_on_the_provider_form(csrf_app, make_user, login, size):
    app = csrf_app
    client = login(app.test_client(), make_user(role="admin"))
    data = (b"<?xml version='1.0'?>" + b" " * size)[:size]
    response = post_files(client, NEW_SAML_PROVIDER, {"csrf_token": token(client, NEW_SAML_PROVIDER),
                                                      "name": "State University", "email_domains": "state.edu"},
                          {"metadata_file": (data, "idp.xml", "text/xml")})
    if size > app.config["MAX_CONTENT_LENGTH"]:
        assert response.status_code == 303 and response.headers["Location"].endswith(NEW_SAML_PROVIDER)
        response = client.get(response.headers["Location"])
        assert response.status_code == 200
    else:
        assert response.status_code == 413
        assert field_values(response.get_data(as_text=True))["name"] == "State University"  # what was typed stays
    page = response.get_data(as_text=True)
    assert "at most 1 MB" in page and "That was too large" not in page
    assert 'name="metadata_file"' in page  # the provider form itself, to send a smaller file
    with app.app_context():
        assert db.session.scalar(select(IdentityProvider.id)) is None


def test_the_metadata_file_input_says_what_the_server_accepts(app, make_user, login):
    client = login(app.test_client(), make_user(role="admin"))
    page = client.get(NEW_SAML_PROVIDER).get_data(as_text=True)
    metadata = re.search(r'<input[^>]*name="metadata_file"[^>]*>', page).group(0)
    assert 'accept=".xml,application/samlmetadata+xml,text/xml"' in metadata
    assert f'data-max-bytes="{MAX_METADATA_BYTES}"' in metadata


# -- and a file of citations (the scholarly import) ---------------------------------------------------------------

CITATIONS = "/scholarly/import"


@pytest.mark.parametrize("size", [512 * 1024 + 10, OVER_THE_REQUEST_LIMIT], ids=["over-512-KB", "over-4-MB"])
def test_a_citation_file_over_512_kb_shows_the_message_on_the_import_form(csrf_app, make_user, login, size):
    from network.scholarly.models import ScholarlyImport, ScholarlyItem

    app = csrf_app
    client = login(app.test_client(), make_user())
    data = (b"TY  - JOUR\nTI  - A title\nER  - \n" + b" " * size)[:size]
    response = post_files(client, CITATIONS, {"csrf_token": token(client, CITATIONS), "text": ""},
                          {"upload": (data, "big.ris", "text/plain")})
    if size > app.config["MAX_CONTENT_LENGTH"]:
        assert response.status_code == 303 and response.headers["Location"].endswith(CITATIONS)
        response = client.get(response.headers["Location"])
        assert response.status_code == 200
    else:
        assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Import at most 512 KB of citations at a time." in page and "That was too large" not in page
    assert 'name="upload"' in page  # the import form itself, to send a smaller file
    with app.app_context():
        assert db.session.scalar(select(ScholarlyImport.id)) is None
        assert db.session.scalar(select(ScholarlyItem.id)) is None


def test_the_citation_file_input_says_what_the_server_accepts(app, make_user, login):
    client = login(app.test_client(), make_user())
    page = client.get(CITATIONS).get_data(as_text=True)
    upload = re.search(r'<input[^>]*name="upload"[^>]*>', page).group(0)
    assert 'accept=".ris,.bib,.bibtex,.nbib,.txt,text/plain"' in upload
    assert f'data-max-bytes="{512 * 1024}"' in upload


def test_every_upload_form_is_covered_here():
    """A new file upload joins this file's tests: its refusals keep the form, its limit has its message."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    uploads = sorted(str(path.relative_to(templates)) for path in templates.rglob("*.html")
                     if "multipart/form-data" in path.read_text())
    assert uploads == ["admin/identity_provider.html", "cohorts/import.html", "profiles/edit.html",
                       "scholarly/import.html"]


def test_no_view_reads_request_files_but_the_known_uploads():
    """Any other view that reads uploaded files directly must be added to the tests above."""
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "network"
    readers = sorted(str(path.relative_to(package)) for path in package.rglob("*.py")
                     if "request.files" in path.read_text() or "FileField" in path.read_text())
    assert readers == ["admin/forms.py", "cohorts/forms.py", "profiles/forms.py", "profiles/routes/editing.py",
                       "scholarly/forms.py"]


def test_a_stored_photo_survives_a_refused_one(app, alumna):
    member, client = alumna
    post_files(client, "/members/me/photo", {}, {"photo": (image_bytes(), "me.png", "image/png")})
    first = client.get(f"/members/{member.id}/photo").data
    post_files(client, "/members/me/edit", profile_form(app), {"photo": (NOT_AN_IMAGE, "x.jpg", "image/jpeg")})
    assert client.get(f"/members/{member.id}/photo").data == first
    with app.app_context():
        assert db.session.scalar(select(Profile.photo_version).where(Profile.user_id == member.id)) == 1


def test_photos_saved_with_the_profile_count_towards_the_photo_limit(make_app, make_user, login):
    app = make_app(PHOTO_UPLOAD_RATE_LIMIT="3 per hour")
    client = login(app.test_client(), make_user(role="alumni"))
    photo = {"photo": (image_bytes(), "me.png", "image/png")}
    codes = [post_files(client, "/members/me/photo", {}, photo).status_code,
             post_files(client, "/members/me/edit", profile_form(app), photo).status_code,
             post_files(client, "/members/me/edit", profile_form(app), {}).status_code,  # no photo: not counted
             post_files(client, "/members/me/edit", profile_form(app), photo).status_code,
             post_files(client, "/members/me/edit", profile_form(app), photo).status_code,
             post_files(client, "/members/me/edit", profile_form(app), {}).status_code]
    assert codes == [302, 302, 302, 302, 429, 302]
