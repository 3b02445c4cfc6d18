"""``/api/v1/taxonomy``: the terms the pages' forms offer, the same at once after an administrator's change, with
ETags, and read from the cache the directory's filter form uses."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from network.extensions import db
from network.taxonomy import services
from network.taxonomy.models import BoardCertification, Interest
from tests.api.helpers import bearer, issue_token


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def select_options(page: str, select_id: str) -> list[tuple[int, str]]:
    """(value, label) of a select's options that name a term (the blank "Any ..." one aside)."""
    body = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    return [(int(value), html.unescape(label))
            for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', body)]


def checkbox_values(page: str, name: str) -> list[int]:
    return [int(re.search(r'value="(\d+)"', tag).group(1))
            for tag in re.findall(r"<input[^>]*>", page) if f'name="{name}"' in tag]


def terms(vocabulary: dict) -> list[tuple[int, str]]:
    return [(term["id"], term["name"]) for term in vocabulary["terms"]]


def test_the_vocabularies_are_what_the_forms_offer(app, make_user, login):
    member = make_user()
    page = login(app.test_client(), member)
    directory, edit = page.get("/members/").data.decode(), page.get("/members/me/edit").data.decode()
    client, headers = app.test_client(), bearer(issue_token(app, member, "read"))
    response = client.get("/api/v1/taxonomy", headers=headers)
    assert response.status_code == 200
    vocabularies = {v["key"]: v for v in response.get_json()["vocabularies"]}
    assert list(vocabularies) == ["specialties", "interests", "certifications", "practice-settings"]
    assert terms(vocabularies["specialties"]) == select_options(directory, "specialty") \
        == select_options(directory, "background")
    assert terms(vocabularies["interests"]) == [(int(v), html.unescape(label)) for v, label in re.findall(
        r'<input[^>]*name="interests"[^>]*value="(\d+)"[^>]*>\s*<label[^>]*>([^<]*)</label>', directory)]
    assert terms(vocabularies["practice-settings"]) == select_options(directory, "setting")
    assert [term_id for term_id, _ in terms(vocabularies["certifications"])] == checkbox_values(edit, "certifications")
    assert len(vocabularies["certifications"]["terms"]) >= 3 and len(vocabularies["interests"]["terms"]) >= 25
    assert all(term["slug"] for v in vocabularies.values() for term in v["terms"])
    for key, vocabulary in vocabularies.items():
        one = client.get(f"/api/v1/taxonomy/{key}", headers=headers)
        assert one.status_code == 200 and one.get_json() == vocabulary


def test_an_unknown_vocabulary_is_a_404(app, make_user):
    headers = bearer(issue_token(app, make_user(), "read"))
    for path in ("/api/v1/taxonomy/nonsense", "/api/v1/taxonomy/interests/1", "/api/v1/taxonomy/Interests"):
        response = app.test_client().get(path, headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", path


@pytest.mark.parametrize(("vocabulary", "model"), [("interests", Interest), ("certifications", BoardCertification)])
def test_an_administrators_change_shows_at_the_next_request(app, make_user, login, vocabulary, model):
    admin = login(app.test_client(), make_user(role="admin"))
    client, headers = app.test_client(), bearer(issue_token(app, make_user(), "read"))
    path = f"/api/v1/taxonomy/{vocabulary}"

    def names():
        return [term["name"] for term in client.get(path, headers=headers).get_json()["terms"]]

    assert "Sleep medicine" not in names()  # now kept
    admin.post(f"/admin/taxonomy/{vocabulary}", data={"name": "Sleep medicine"})
    assert names()[-1] == "Sleep medicine"
    with app.app_context():
        term_id = db.session.scalar(select(model.id).where(model.name == "Sleep medicine"))
    admin.post(f"/admin/taxonomy/{vocabulary}/{term_id}/rename", data={"name": "Sleep and pain"})
    assert "Sleep and pain" in names() and "Sleep medicine" not in names()
    admin.post(f"/admin/taxonomy/{vocabulary}/{term_id}/retire")
    assert "Sleep and pain" not in names()


def test_etags_answer_304_until_a_term_changes(app, make_user):
    client, headers = app.test_client(), bearer(issue_token(app, make_user(), "read"))
    admin = make_user(role="admin")
    for path in ("/api/v1/taxonomy", "/api/v1/taxonomy/certifications"):
        etag = client.get(path, headers=headers).headers["ETag"]
        assert client.get(path, headers={**headers, "If-None-Match": etag}).status_code == 304
        with app.app_context():
            services.add_term(BoardCertification, f"New board {path}", admin.id)
            db.session.commit()
        changed = client.get(path, headers={**headers, "If-None-Match": etag})
        assert changed.status_code == 200 and f"New board {path}" in changed.data.decode()


@pytest.mark.parametrize("path", ["/api/v1/taxonomy", "/api/v1/taxonomy/interests"])
def test_a_kept_taxonomy_costs_the_token_and_the_version_whatever_its_size(app, make_user, count_queries, path):
    admin = make_user(role="admin")
    client, headers = app.test_client(), bearer(issue_token(app, make_user(), "read"))
    client.get(path, headers=headers)  # the token's first use is written down, the terms are kept
    with count_queries() as few:
        assert client.get(path, headers=headers).status_code == 200
    with app.app_context():
        for n in range(200):
            services.add_term(Interest, f"Interest number {n}", admin.id)
        db.session.commit()
    assert len(client.get(path, headers=headers).get_json()) > 0  # read once more, then kept
    with count_queries() as many:
        response = client.get(path, headers=headers)
    assert "Interest number 199" in response.data.decode()
    assert len(few) == len(many) == 2, many
