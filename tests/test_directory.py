"""The directory: words, filters, sorting, paging, a shareable URL, and a bounded number of queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.profiles import services
from network.taxonomy.models import Interest, PracticeSetting, Specialty
from tests.html_checks import check_page
from tests.profiles_helpers import bulk_members
from tests.test_profiles import make_program_with


def add_profile(app, member, **fields):
    """Give ``member`` a profile directly through the service (as the edit form would)."""
    interests = fields.pop("interests", [])
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, member.id)
        chosen = db.session.scalars(select(Interest).where(Interest.name.in_(interests))).all()
        fields.setdefault("location_visibility", "members")
        services.update_profile(user, name=user.name, interests=chosen, certifications=[], **fields)
        db.session.commit()


@pytest.fixture
def people(app, make_user):
    with app.app_context():
        pmr = db.session.scalar(select(Specialty.id).where(Specialty.slug == "pmr"))
        anesthesia = db.session.scalar(select(Specialty.id).where(Specialty.slug == "anesthesiology"))
        private = db.session.scalar(select(PracticeSetting.id).where(PracticeSetting.slug == "private-practice"))
    texan = make_user(role="alumni", name="Dr. Tex Neuromod", training_background_id=pmr)
    add_profile(app, texan, headline="Neuromodulation in private practice", city="Austin", region="TX",
                country="US", practice_setting_id=private, graduation_year=2019, accepting_mentees=True,
                interests=["Neuromodulation / spinal cord stimulation", "Research methods"])
    boston = make_user(role="alumni", name="Dr. Bea Boston", training_background_id=anesthesia)
    add_profile(app, boston, headline="Cancer pain and intrathecal pumps", city="Boston", region="MA",
                country="US", graduation_year=2015, interests=["Cancer pain", "Research methods"])
    fellow = make_user(role="fellow", name="Dr. Fay Fellow", training_background_id=pmr)
    add_profile(app, fellow, headline="First-year fellow", interests=["Neuromodulation / spinal cord stimulation"])
    viewer = make_user(role="fellow", name="Dr. Vic Viewer")
    return {"texan": texan, "boston": boston, "fellow": fellow, "viewer": viewer, "pmr": pmr, "private": private}


def names(response) -> list[str]:
    import re

    return re.findall(r'<h2 class="h6 mb-1"><a href="/members/\d+">([^<]+)</a>', response.data.decode())


def interest(app, name):
    with app.app_context():
        return db.session.scalar(select(Interest.id).where(Interest.name == name))


def test_the_search_from_the_issue_finds_the_texan(app, login, people):
    client = login(app.test_client(), people["viewer"])
    query = {"role": "alumni", "background": people["pmr"], "setting": people["private"], "region": "tx",
             "country": "US", "accepting": "y",
             "interests": [interest(app, "Neuromodulation / spinal cord stimulation")]}
    response = client.get("/members/", query_string=query)
    assert response.status_code == 200
    assert names(response) == ["Dr. Tex Neuromod"]
    assert "1 member" in response.data.decode()
    assert check_page(response.data) == []


def test_word_search_covers_name_headline_bio_institution_and_interests(app, login, people):
    client = login(app.test_client(), people["viewer"])
    assert names(client.get("/members/?q=intrathecal")) == ["Dr. Bea Boston"]
    assert names(client.get("/members/?q=Bea")) == ["Dr. Bea Boston"]
    assert sorted(names(client.get("/members/?q=neuromod"))) == ["Dr. Fay Fellow", "Dr. Tex Neuromod"]
    assert names(client.get("/members/?q=research+cancer")) == ["Dr. Bea Boston"]
    # Search syntax and punctuation are words, never errors.
    for hostile in ('"', "NEAR(", "a OR", "*", "'; DROP TABLE user; --", "\\", "%", "ü"):
        assert client.get("/members/", query_string={"q": hostile}).status_code == 200


def test_several_interests_means_all_of_them(app, login, people):
    client = login(app.test_client(), people["viewer"])
    both = [interest(app, "Neuromodulation / spinal cord stimulation"), interest(app, "Research methods")]
    assert names(client.get("/members/", query_string={"interests": both})) == ["Dr. Tex Neuromod"]


def test_graduation_year_range_and_sorting(app, login, people):
    client = login(app.test_client(), people["viewer"])
    assert names(client.get("/members/?graduated_from=2016&graduated_to=2020")) == ["Dr. Tex Neuromod"]
    by_name = names(client.get("/members/?sort=name"))
    assert by_name == sorted(by_name)


def test_program_and_cohort_filters(app, login, people):
    program_id = make_program_with(app, people["fellow"].id, people["viewer"].id)
    client = login(app.test_client(), people["viewer"])
    assert sorted(names(client.get(f"/members/?program={program_id}"))) == ["Dr. Fay Fellow", "Dr. Vic Viewer"]


def test_bad_filters_get_a_message_and_400(app, login, people):
    client = login(app.test_client(), people["viewer"])
    for query in ("page=0", "graduated_from=abc", "specialty=abc", "role=president", "sort=random", "country=XX"):
        response = client.get(f"/members/?{query}")
        assert response.status_code == 400, query
        assert "Check the search form" in response.data.decode()


def test_empty_result_is_helpful(app, login, people):
    client = login(app.test_client(), people["viewer"])
    response = client.get("/members/?q=zzzzzz")
    assert "Nobody matches all of that" in response.data.decode()
    assert "0 members" in response.data.decode()


def test_pages_keep_the_query_in_the_url(app, make_user, login):
    for n in range(25):
        make_user(role="alumni", name=f"Dr. Page Person {n:02d}")
    viewer = make_user()
    client = login(app.test_client(), viewer)
    first = client.get("/members/?role=alumni&sort=name")
    assert "Page 1 of 2" in first.data.decode()
    assert "/members/?role=alumni&amp;sort=name&amp;page=2" in first.data.decode()
    second = client.get("/members/?role=alumni&sort=name&page=2")
    assert len(names(second)) == 5
    assert client.get("/members/?role=alumni&page=3").status_code == 200  # past the end: empty, not an error


def test_index_follows_every_write(app, make_user, login):
    from tests.test_profiles import profile_form

    member = make_user(role="alumni", name="Dr. Old Name")
    viewer = login(app.test_client(), make_user())
    client = login(app.test_client(), member)
    client.post("/members/me/edit", data=profile_form(app, name="Dr. Fresh Name", headline="Pediatric headache"))
    assert names(viewer.get("/members/?q=Fresh")) == ["Dr. Fresh Name"]
    assert names(viewer.get("/members/?q=Old")) == []
    assert names(viewer.get("/members/?q=pediatric")) == ["Dr. Fresh Name"]


@pytest.mark.parametrize("path", ["/members/?q=pain", "/members/?q=pain&role=alumni",
                                  "/members/?country=US&region=austin", "/members/?sort=active", "/members/{id}",
                                  "/members/saved"])
def test_query_count_does_not_grow_with_the_number_of_members(app, make_user, login, count_queries, path):
    viewer = make_user()
    client = login(app.test_client(), viewer)
    client.get("/")
    client.get("/members/")  # the filter choices, kept until a term, program or cohort changes

    target = bulk_members(app, 5, saved_by=viewer.id, prefix="Dr. Few")[0]
    with count_queries() as few:
        assert client.get(path.format(id=target)).status_code == 200
    bulk_members(app, 495, saved_by=viewer.id, prefix="Dr. Many")
    with count_queries() as many:
        assert client.get(path.format(id=target)).status_code == 200
    assert len(few) == len(many) <= 12, many


def test_an_admitted_member_is_found_by_name_before_writing_a_profile(app, make_user, login):
    from network.members.services import verify_member

    admin = make_user(role="admin")
    newcomer = make_user(status="pending", name="Dr. Newly Admitted")
    viewer = login(app.test_client(), make_user())
    assert names(viewer.get("/members/?q=Newly")) == []  # this ranking is now remembered
    with app.app_context(), app.test_request_context():
        verify_member(db.session.get(User, newcomer.id), db.session.get(User, admin.id))
        db.session.commit()
    assert names(viewer.get("/members/?q=Newly")) == ["Dr. Newly Admitted"]


def test_renamed_and_removed_members_change_the_word_search_at_once(app, make_user, login, people):
    from network.types import utcnow

    viewer = login(app.test_client(), people["viewer"])
    assert sorted(names(viewer.get("/members/?q=neuromodulation"))) == ["Dr. Fay Fellow", "Dr. Tex Neuromod"]
    with app.app_context():
        db.session.get(User, people["texan"].id).name = "Dr. Tex Renamed"
        db.session.commit()
    assert names(viewer.get("/members/?q=Renamed")) == ["Dr. Tex Renamed"]
    assert "Dr. Tex Renamed" in names(viewer.get("/members/?q=neuromodulation"))
    with app.app_context():
        db.session.get(User, people["fellow"].id).deleted_at = utcnow()
        db.session.commit()
    assert names(viewer.get("/members/?q=neuromodulation")) == ["Dr. Tex Renamed"]
    assert "1 member matching" in viewer.get("/members/?q=neuromodulation").data.decode()


def test_filter_form_keeps_what_was_asked(app, login, people):
    client = login(app.test_client(), people["viewer"])
    research = interest(app, "Research methods")
    page = client.get(f"/members/?q=pain&role=alumni&country=US&interests={research}&accepting=y"
                      "&graduated_from=2010&sort=name").data.decode()
    assert 'value="pain"' in page
    assert '<option value="alumni" selected>Alumni</option>' in page
    assert '<option value="US" selected>' in page
    assert f'value="{research}" checked' in page
    assert 'id="accepting" name="accepting" value="y" checked' in page
    assert 'name="graduated_from" value="2010"' in page
    assert '<option value="name" selected>Name</option>' in page
    bad = client.get("/members/?graduated_from=abc")
    assert bad.status_code == 400
    assert 'aria-describedby="graduated_from-error"' in bad.data.decode()
    assert 'value="abc"' in bad.data.decode()


# -- what each process keeps, and how a write reaches the next view ------------------------------


def filter_options(page: str, select_id: str) -> list[str]:
    """The labels of one filter select of a directory page."""
    import re

    select = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    return re.findall(r"<option [^>]*>([^<]*)</option>", select)


def test_filter_choices_follow_terms_programs_and_cohorts_at_once(app, make_user, login):
    """The filter choices are kept per process; each admin edit shows on the very next view."""
    from datetime import date

    from network.programs.models import Cohort

    admin = login(app.test_client(), make_user(role="admin"))
    viewer = login(app.test_client(), make_user())
    page = viewer.get("/members/").data.decode()  # the choices are now kept
    assert "Sleep medicine" not in page
    admin.post("/admin/taxonomy/interests", data={"name": "Sleep medicine"})
    page = viewer.get("/members/").data.decode()
    assert "Sleep medicine" in page
    term = interest(app, "Sleep medicine")
    admin.post(f"/admin/taxonomy/interests/{term}/rename", data={"name": "Sleep and pain"})
    page = viewer.get("/members/").data.decode()
    assert "Sleep and pain" in page and "Sleep medicine" not in page
    admin.post(f"/admin/taxonomy/interests/{term}/retire")
    assert "Sleep and pain" not in viewer.get("/members/").data.decode()
    # A retired term's old link still answers (it is no longer a valid choice), never a server error.
    assert viewer.get(f"/members/?interests={term}").status_code == 400

    specialties = filter_options(viewer.get("/members/").data.decode(), "specialty")
    with app.app_context():
        pain = db.session.scalar(select(Specialty).where(Specialty.slug == "pain-medicine"))
        old_name, pain.name = pain.name, "Pain medicine (renamed)"
        db.session.commit()
    renamed = filter_options(viewer.get("/members/").data.decode(), "specialty")
    assert renamed == [("Pain medicine (renamed)" if name == old_name else name) for name in specialties]

    program_id = make_program_with(app, name="Eastbay")
    page = viewer.get("/members/").data.decode()
    assert "Eastbay Pain Fellowship" in filter_options(page, "program")
    assert "Eastbay Pain Fellowship: Class of 2027" in filter_options(page, "cohort")
    with app.app_context():
        db.session.add(Cohort(program_id=program_id, name="Class of 2028", start_date=date(2027, 7, 1),
                              end_date=date(2028, 6, 30)))
        db.session.commit()
    assert "Eastbay Pain Fellowship: Class of 2028" in filter_options(viewer.get("/members/").data.decode(), "cohort")


def test_a_profile_edit_shows_on_the_next_card_and_profile_view(app, make_user, login):
    import re

    from tests.test_profiles import profile_form

    member = make_user(role="alumni", name="Dr. Card Quince")
    viewer = login(app.test_client(), make_user())
    client = login(app.test_client(), member)
    client.post("/members/me/edit", data=profile_form(app, name="Dr. Card Quince", headline="Old headline",
                                                      institution="Old Clinic"))
    # Filters (no words) and words both list the member; the profile page shows the same.
    for path in ("/members/?role=alumni", "/members/?q=Quince"):
        assert "Old headline" in viewer.get(path).data.decode()
    before = viewer.get(f"/members/{member.id}").data.decode()
    assert "Old Clinic" in before and "Hello <strong>there</strong>" in before
    client.post("/members/me/edit", data=profile_form(
        app, name="Dr. Card Juniper", headline="New headline", institution="New Clinic", bio="A *new* bio",
        interests=[str(interest(app, "Cancer pain"))]))
    after = viewer.get(f"/members/{member.id}").data.decode()
    assert "A <em>new</em> bio" in after and "there" not in after
    for path in ("/members/?role=alumni", "/members/?q=Juniper", f"/members/{member.id}"):
        page = viewer.get(path).data.decode()
        assert "Dr. Card Juniper" in page and "New headline" in page and "New Clinic" in page, path
        shown_interests = re.findall(r'badge text-bg-light border[^"]*">([^<]+)<', page)
        assert shown_interests == ["Cancer pain"], path
        assert "Old headline" not in page and "Dr. Card Quince" not in page, path


def test_card_links_are_the_routes_links(app, make_user, login):
    """The cards write their links out from one url_for: they must stay the routes' own."""
    import io

    from flask import url_for

    from tests.profiles_helpers import image_bytes

    viewer = make_user()
    member = make_user(role="alumni", name="Dr. Linked Member")
    member_client = login(app.test_client(), member)
    member_client.post("/members/me/photo", data={"photo": (io.BytesIO(image_bytes()), "me.png")},
                       content_type="multipart/form-data")
    client = login(app.test_client(), viewer)
    page = client.get("/members/?role=alumni").data.decode()
    client.post(f"/members/{member.id}/save")
    saved_page = client.get("/members/?role=alumni").data.decode()
    with app.test_request_context():
        show = url_for("profiles.show", user_id=member.id)
        photo = url_for("profiles.photo", user_id=member.id, v=1)
        save = url_for("profiles.save", user_id=member.id)
        unsave = url_for("profiles.unsave", user_id=member.id)
    assert f'href="{show}"' in page and f'src="{photo}"' in page and f'action="{save}"' in page
    assert f'action="{unsave}"' in saved_page
    assert check_page(page.encode()) == [] and check_page(saved_page.encode()) == []
    assert client.get(photo).status_code == 200
    assert "Dr. Linked Member" in client.get(show).data.decode()


def test_connected_locations_show_to_program_mates_and_mentorship_partners_only(app, make_user, login):
    from network.mentorship.models import Mentorship

    owner = make_user(role="alumni", name="Dr. Connected Owner")
    add_profile(app, owner, headline="Owner", city="Tucson", region="AZ", country="US",
                location_visibility="connected")
    mate, mentee, outsider = make_user(), make_user(), make_user()
    make_program_with(app, owner.id, mate.id)
    with app.app_context():
        db.session.add(Mentorship(mentee_id=mentee.id, mentor_id=owner.id, type="research"))
        db.session.commit()
    for viewer, sees in ((mate, True), (mentee, True), (outsider, False), (owner, True)):
        client = login(app.test_client(), viewer)
        for path in ("/members/?q=Connected", "/members/?role=alumni", f"/members/{owner.id}"):
            page = client.get(path).data
            assert ("Tucson, AZ, US" in page.decode()) is sees, (viewer.name, path)
            assert "Northbridge Pain Fellowship, Class of 2027" in page.decode()
            assert check_page(page) == []
        # Nor can an outsider find the member by filtering on the place.
        assert ("Dr. Connected Owner" in client.get("/members/?region=AZ").data.decode()) is sees, viewer.name
    with app.app_context():
        mentorship = db.session.scalar(select(Mentorship).where(Mentorship.mentee_id == mentee.id))
        mentorship.status = "completed"
        db.session.commit()
    assert "Tucson" not in login(app.test_client(), mentee).get(f"/members/{owner.id}").data.decode()
