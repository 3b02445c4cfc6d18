"""Admins add, rename, retire and restore terms; retiring keeps existing data; every change is audited."""

from __future__ import annotations

from sqlalchemy import select

from network.audit.models import AuditLog
from network.extensions import db
from network.taxonomy.models import Interest
from tests.html_checks import check_page
from tests.test_directory import add_profile, names


def interest_named(app, name):
    with app.app_context():
        return db.session.scalars(select(Interest).where(Interest.name == name)).first()


def test_seeded_vocabularies(app, make_user, login):
    client = login(app.test_client(), make_user(role="admin"))
    for vocabulary, expected in [("interests", "Ultrasound-guided nerve blocks"), ("specialties", "Neurology"),
                                 ("certifications", "ABA Pain Medicine"), ("practice-settings", "VA / military")]:
        page = client.get(f"/admin/taxonomy/{vocabulary}")
        assert page.status_code == 200 and expected in page.data.decode()
        assert check_page(page.data) == []
    with app.app_context():
        assert len(db.session.scalars(select(Interest)).all()) >= 25
    assert client.get("/admin/taxonomy/nonsense").status_code == 404


def test_add_rename_retire_restore(app, make_user, login):
    admin = make_user(role="admin")
    client = login(app.test_client(), admin)
    response = client.post("/admin/taxonomy/interests", data={"name": "Sleep medicine"}, follow_redirects=True)
    assert "“Sleep medicine” is added" in response.data.decode()
    duplicate = client.post("/admin/taxonomy/interests", data={"name": "sleep MEDICINE"})
    assert duplicate.status_code == 409 and "already in the list" in duplicate.data.decode()
    empty = client.post("/admin/taxonomy/interests", data={"name": "  "})
    assert empty.status_code == 400
    term = interest_named(app, "Sleep medicine")
    client.post(f"/admin/taxonomy/interests/{term.id}/rename", data={"name": "Sleep and pain"})
    client.post(f"/admin/taxonomy/interests/{term.id}/retire")
    assert interest_named(app, "Sleep and pain").retired_at is not None
    client.post(f"/admin/taxonomy/interests/{term.id}/restore")
    assert interest_named(app, "Sleep and pain").retired_at is None
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["taxonomy.add", "taxonomy.rename", "taxonomy.retire", "taxonomy.restore"]
    assert client.post("/admin/taxonomy/interests/999999/retire").status_code == 404


def test_retired_terms_stay_on_profiles_but_are_not_offered(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(role="alumni")
    add_profile(app, member, interests=["Telemedicine", "Cancer pain"])
    telemedicine = interest_named(app, "Telemedicine")
    login(app.test_client(), admin).post(f"/admin/taxonomy/interests/{telemedicine.id}/retire")
    other = login(app.test_client(), make_user())
    assert ">Telemedicine</label>" not in other.get("/members/").data.decode()  # not a filter choice any more
    assert "Telemedicine" in other.get(f"/members/{member.id}").data.decode()  # still on the profile
    own_form = login(app.test_client(), member).get("/members/me/edit").data.decode()
    assert "Telemedicine (retired)" in own_form
    fresh = login(app.test_client(), make_user()).get("/members/me/edit").data.decode()
    assert "Telemedicine" not in fresh


def test_renaming_reindexes_the_directory(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(role="alumni", name="Dr. Term User")
    add_profile(app, member, interests=["Telemedicine"])
    viewer = login(app.test_client(), make_user())
    assert names(viewer.get("/members/?q=virtual")) == []
    term = interest_named(app, "Telemedicine")
    login(app.test_client(), admin).post(f"/admin/taxonomy/interests/{term.id}/rename",
                                         data={"name": "Virtual care"})
    assert names(viewer.get("/members/?q=virtual")) == ["Dr. Term User"]


def test_only_admins_edit_the_taxonomy(app, make_user, login):
    term = interest_named(app, "Telemedicine")
    for role in ("fellow", "alumni", "faculty"):
        client = login(app.test_client(), make_user(role=role))
        assert client.post(f"/admin/taxonomy/interests/{term.id}/retire").status_code == 403
    assert interest_named(app, "Telemedicine").retired_at is None
