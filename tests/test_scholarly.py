"""Scholarly items: adding one by hand (DOI and PMID checked, unused fields dropped), importing (preview,
duplicates, malformed input saving nothing), links to the owner's own research mentorship and to opportunities of
the right kind, co-authors who confirm, privacy on the profile, the API and the data export, deleted accounts."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.members.models import User
from network.mentorship.models import MentoringType, Mentorship
from network.notifications.models import Notification
from network.opportunities.models import Opportunity, OpportunityKind
from network.profiles import services as profile_services
from network.scholarly.models import (
    AuthorConfirmation,
    ItemKind,
    ItemStatus,
    ScholarlyAuthor,
    ScholarlyImport,
    ScholarlyItem,
)
from network.types import utcnow
from tests.api.helpers import bearer, issue_token
from tests.html_checks import check_page
from tests.test_profiles import make_program_with
from tests.uploads import post_file

BIBTEX = """@article{okafor2025,
  author = {Okafor, Adaeze N. and Brennan, Mark},
  title = {Genicular nerve ablation after knee arthroplasty},
  journal = {Pain Medicine}, year = {2025}, month = mar, volume = {26}, pages = {145--152},
  doi = {10.1093/pm/pnae123},
}
@inproceedings{okafor2025b,
  author = {Okafor, Adaeze N.},
  title = {Opioid tapering in a multidisciplinary clinic},
  booktitle = {ASRA Pain Medicine Annual Meeting}, year = {2025}, month = nov,
}
"""


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def text(response) -> str:
    return response.data.decode()


def add_item(app, owner_id: int, title: str, visibility: str = "members", **fields) -> int:
    with app.app_context():
        item = ScholarlyItem(owner_id=owner_id, kind=fields.pop("kind", ItemKind.ARTICLE),
                             status=fields.pop("status", ItemStatus.PUBLISHED), title=title, visibility=visibility,
                             published_on=fields.pop("published_on", date(2025, 3, 14)), **fields)
        db.session.add(item)
        db.session.commit()
        return item.id


def add_line(app, item_id: int, position: int, name: str, member_id=None, confirmation=None) -> int:
    with app.app_context():
        line = ScholarlyAuthor(item_id=item_id, position=position, name=name, member_id=member_id,
                               confirmation=confirmation)
        db.session.add(line)
        db.session.commit()
        return line.id


def item_form(**fields) -> dict:
    return {"kind": "article", "status": "published", "title": "Genicular nerve ablation", "authors": "Okafor AN",
            "venue": "Pain Medicine", "published_on": "2025-03-14", "visibility": "members", "mentorship": "",
            "collaboration": "", "presented_at": "", **fields}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# -- adding by hand --------------------------------------------------------------------------------------------

def test_a_member_adds_an_item_with_a_doi_link_and_a_pmid(app, make_user, login):
    fellow = make_user(name="Dr. Adaeze Okafor")
    client = login(app.test_client(), fellow)
    page = client.get("/scholarly/new")
    assert page.status_code == 200 and check_page(page.data) == []
    bad = client.post("/scholarly/new", data=item_form(doi="11.1093/x", pmid="123456789"))
    assert bad.status_code == 400
    assert "Enter a DOI such as" in text(bad) and "1 to 8 digits" in text(bad)
    assert count(app, ScholarlyItem) == 0
    saved = client.post("/scholarly/new", data=item_form(doi="https://doi.org/10.1093/PM/PNAE123", pmid="38912345",
                                                         authors="Okafor AN\nBrennan M"))
    assert saved.status_code == 302
    with app.app_context():
        item = db.session.scalars(select(ScholarlyItem)).one()
        assert (item.doi, item.pmid, item.academic_year) == ("10.1093/pm/pnae123", "38912345", 2024)
        assert [(line.name, line.member_id) for line in item.authors] == [("Okafor AN", fellow.id), ("Brennan M", None)]
    mine = client.get("/scholarly/")
    assert "Genicular nerve ablation" in text(mine) and check_page(mine.data) == []


def test_fields_a_kind_does_not_use_are_not_kept(app, make_user, login):
    client = login(app.test_client(), make_user())
    response = client.post("/scholarly/new", data=item_form(kind="grand_rounds", status="presented", pmid="38912345",
                                                            doi="10.1093/pm/pnae123", volume="26"))
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalars(select(ScholarlyItem)).one()
        assert (item.kind, item.pmid, item.doi, item.volume) == (ItemKind.GRAND_ROUNDS, "", "", "")


def test_only_the_owner_edits_or_deletes_an_item(app, make_user, login):
    owner, other = make_user(), make_user()
    item_id = add_item(app, owner.id, "Mine")
    client = login(app.test_client(), other)
    assert client.get(f"/scholarly/{item_id}/edit").status_code == 404
    assert client.post(f"/scholarly/{item_id}/delete").status_code == 404
    assert client.get(f"/scholarly/{item_id}/authors").status_code == 404
    assert count(app, ScholarlyItem) == 1
    client = login(app.test_client(), owner)
    assert client.post(f"/scholarly/{item_id}/delete").status_code == 302
    assert count(app, ScholarlyItem) == 0


# -- links -----------------------------------------------------------------------------------------------------

def _mentorship(app, mentee_id, mentor_id, kind=MentoringType.RESEARCH) -> int:
    with app.app_context():
        mentorship = Mentorship(mentee_id=mentee_id, mentor_id=mentor_id, type=kind)
        db.session.add(mentorship)
        db.session.commit()
        return mentorship.id


def _opportunity(app, kind: OpportunityKind, title: str) -> int:
    with app.app_context():
        opportunity = Opportunity(kind=kind, title=title, organisation="ASRA", description="Come.", time_zone="UTC")
        db.session.add(opportunity)
        db.session.commit()
        return opportunity.id


def test_links_go_only_to_own_research_mentorships_and_opportunities_of_the_right_kind(app, make_user, login):
    fellow, mentor, stranger, other_mentor = make_user(), make_user(role="faculty"), make_user(), make_user("faculty")
    own = _mentorship(app, fellow.id, mentor.id)
    clinical = _mentorship(app, fellow.id, other_mentor.id, MentoringType.CLINICAL)
    theirs = _mentorship(app, stranger.id, mentor.id)
    conference = _opportunity(app, OpportunityKind.CONFERENCE, "ASRA Pain Medicine Meeting")
    job = _opportunity(app, OpportunityKind.JOB, "Pain physician")
    research = _opportunity(app, OpportunityKind.RESEARCH, "Genicular RFA registry")
    client = login(app.test_client(), fellow)
    for wrong in ({"mentorship": theirs}, {"mentorship": clinical}, {"presented_at": job},
                  {"collaboration": conference}, {"presented_at": research}, {"mentorship": 999999}):
        response = client.post("/scholarly/new", data=item_form(kind="abstract", status="presented", **wrong))
        assert response.status_code == 400, wrong
        assert "Not a valid choice" in text(response)
    assert count(app, ScholarlyItem) == 0
    response = client.post("/scholarly/new", data=item_form(kind="abstract", status="presented", mentorship=own,
                                                            presented_at=conference, collaboration=research))
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalars(select(ScholarlyItem)).one()
        assert (item.mentorship_id, item.presented_at_id, item.collaboration_id) == (own, conference, research)
    # Its edit form offers the linked ones again, selected.
    page = client.get(f"/scholarly/{item.id}/edit")
    assert page.status_code == 200, text(page)
    assert re.search(rf'<option selected value="{conference}">|<option value="{conference}" selected>',
                     page.get_data(as_text=True))
    # Both members see it in their workspace.
    for member in (fellow, mentor):
        page = login(app.test_client(), member).get(f"/mentorship/{own}")
        assert page.status_code == 200 and "Genicular nerve ablation" in text(page), member
        assert "ASRA Pain Medicine Meeting" in text(page)


def test_an_item_naming_a_mentorship_shows_in_its_workspace_to_both_members_unless_kept_private(app, make_user,
                                                                                                  login):
    from network.mentorship.models import MentorshipStatus

    fellow, mentor = make_user(), make_user(role="faculty")
    own = _mentorship(app, fellow.id, mentor.id)
    client = login(app.test_client(), fellow)
    for title, visibility in (("Shared with my connections", "connected"), ("Kept to myself", "private")):
        assert client.post("/scholarly/new", data=item_form(title=title, visibility=visibility, mentorship=own,
                                                            kind="abstract", status="submitted")).status_code == 302
    with app.app_context():  # the mentorship ended: the mentor is no longer a connection of the fellow's
        db.session.get(Mentorship, own).status = MentorshipStatus.COMPLETED
        db.session.commit()
    mentor_page = text(login(app.test_client(), mentor).get(f"/mentorship/{own}"))
    assert "Shared with my connections" in mentor_page and "Kept to myself" not in mentor_page
    assert "Kept to myself" in text(client.get(f"/mentorship/{own}"))
    assert "Shared with my connections" not in text(login(app.test_client(), mentor).get(f"/members/{fellow.id}"))


# -- co-authors ------------------------------------------------------------------------------------------------

def test_a_linked_co_author_confirms_and_the_item_joins_their_profile(app, make_user, login):
    owner = make_user(name="Dr. Adaeze Okafor")
    coauthor = make_user(role="faculty", name="Dr. Mark Brennan")
    interloper = make_user(name="Dr. Nosy Parker")
    client = login(app.test_client(), owner)
    assert client.post("/scholarly/new", data=item_form(authors="Okafor AN\nBrennan M")).status_code == 302
    with app.app_context():
        item = db.session.scalars(select(ScholarlyItem)).one()
        owner_line, line = item.authors
    page = client.get(f"/scholarly/{item.id}/authors")
    assert page.status_code == 200 and check_page(page.data) == []
    assert "Dr. Mark Brennan" in text(page)  # offered: the family name matches
    response = client.post(f"/scholarly/{item.id}/authors",
                           data={f"member_{owner_line.id}": owner.id, f"member_{line.id}": coauthor.id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ScholarlyAuthor, line.id).confirmation == AuthorConfirmation.PENDING
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == coauthor.id)).all()
        assert note.kind == "scholarly-coauthor" and "Genicular nerve ablation" in note.title
    viewer = login(app.test_client(), interloper)
    assert "Genicular" not in text(viewer.get(f"/members/{coauthor.id}"))  # not theirs until confirmed
    assert "Brennan M</a>" not in text(viewer.get(f"/members/{owner.id}"))  # a plain name meanwhile
    assert viewer.post(f"/scholarly/authors/{line.id}/confirm").status_code == 404  # not their line
    coauthor_client = login(app.test_client(), coauthor)
    waiting = coauthor_client.get("/scholarly/confirmations")
    assert "Genicular nerve ablation" in text(waiting) and check_page(waiting.data) == []
    assert coauthor_client.post(f"/scholarly/authors/{line.id}/confirm").status_code == 302
    assert "Genicular nerve ablation" in text(viewer.get(f"/members/{coauthor.id}"))
    assert f'href="/members/{coauthor.id}">Brennan M</a>' in text(viewer.get(f"/members/{owner.id}"))
    # Declining later takes it off their profile again.
    assert coauthor_client.post(f"/scholarly/authors/{line.id}/decline").status_code == 302
    assert "Genicular" not in text(viewer.get(f"/members/{coauthor.id}"))


def test_a_co_author_the_viewer_may_not_open_is_a_plain_name(app, make_user, login):
    owner, gone, viewer = make_user(), make_user(name="Dr. Gone Away"), make_user()
    item_id = add_item(app, owner.id, "Spinal cord stimulation outcomes")
    add_line(app, item_id, 0, "Away G", gone.id, AuthorConfirmation.CONFIRMED)
    with app.app_context():
        db.session.get(User, gone.id).deleted_at = utcnow()
        db.session.commit()
    page = text(login(app.test_client(), viewer).get(f"/members/{owner.id}"))
    assert "Spinal cord stimulation outcomes" in page
    assert "Away G" in page and f"/members/{gone.id}" not in page


# -- privacy ---------------------------------------------------------------------------------------------------

@pytest.fixture
def record(app, make_user):
    """An owner with an item at each visibility, a program mate (connected) and a stranger."""
    owner, mate, stranger = make_user(name="Dr. Owner"), make_user(), make_user(role="alumni")
    make_program_with(app, owner.id, mate.id)
    ids = {level: add_item(app, owner.id, f"Item for {level}", visibility=level)
           for level in ("members", "connected", "private")}
    return owner, mate, stranger, ids


@pytest.mark.parametrize("who,seen", [("owner", {"members", "connected", "private"}),
                                      ("mate", {"members", "connected"}), ("stranger", {"members"})])
def test_items_hidden_from_a_viewer_are_not_on_the_profile_nor_in_the_api(app, login, record, who, seen):
    owner, mate, stranger, ids = record
    viewer = {"owner": owner, "mate": mate, "stranger": stranger}[who]
    client = login(app.test_client(), viewer)
    for url in (f"/members/{owner.id}", f"/scholarly/members/{owner.id}"):
        page = client.get(url)
        assert page.status_code == 200 and check_page(page.data) == []
        assert {level for level in ids if f"Item for {level}" in text(page)} == seen, url
    headers = bearer(issue_token(app, viewer, "read"))
    listed = client.get(f"/api/v1/scholarly-items?member={owner.id}", headers=headers)
    assert listed.status_code == 200
    assert {item["title"] for item in listed.get_json()} == {f"Item for {level}" for level in seen}
    for level, item_id in ids.items():
        one = client.get(f"/api/v1/scholarly-items/{item_id}", headers=headers)
        assert one.status_code == (200 if level in seen else 404), level


def test_the_api_pages_a_record_with_its_link_header(app, make_user, login):
    owner = make_user()
    for n in range(5):
        add_item(app, owner.id, f"Paper {n}", published_on=date(2020 + n, 1, 1))
    add_item(app, owner.id, "In preparation", published_on=None, status=ItemStatus.IN_PREPARATION)
    client, headers = app.test_client(), bearer(issue_token(app, owner, "read"))
    url, titles = f"/api/v1/scholarly-items?member={owner.id}&limit=4", []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        titles += [item["title"] for item in response.get_json()]
        link = response.headers.get("Link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else None
    assert titles == ["In preparation", "Paper 4", "Paper 3", "Paper 2", "Paper 1", "Paper 0"]
    assert client.get("/api/v1/scholarly-items?member=999999", headers=headers).status_code == 404


def test_download_your_data_holds_every_own_item_and_deleting_the_account_removes_them(app, make_user, login):
    owner, coauthor = make_user(), make_user()
    private = add_item(app, owner.id, "A private protocol", visibility="private", kind=ItemKind.IRB_PROTOCOL)
    theirs = add_item(app, coauthor.id, "Their paper")
    line = add_line(app, theirs, 0, "Owner T", owner.id, AuthorConfirmation.CONFIRMED)
    add_line(app, private, 0, "Owner T", owner.id)
    client = login(app.test_client(), owner)
    archive = client.get("/members/me/export")
    assert archive.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.data)).read("data.json"))
    assert [item["title"] for item in data["scholarly_items"]] == ["A private protocol"]
    assert data["scholarly_items"][0]["authors"] == ["Owner T"]
    assert [c["title"] for c in data["co_authorships"]] == ["Their paper"]
    with app.app_context(), app.test_request_context():
        profile_services.delete_account(db.session.get(User, owner.id))
        db.session.commit()
        assert db.session.get(ScholarlyItem, private) is None
        assert db.session.get(ScholarlyItem, theirs) is not None
        kept = db.session.get(ScholarlyAuthor, line)
        assert (kept.name, kept.member_id, kept.confirmation) == ("Owner T", None, None)


# -- import ----------------------------------------------------------------------------------------------------

def test_import_previews_marks_duplicates_and_saves_the_chosen_items(app, make_user, login):
    fellow = make_user(name="Dr. Adaeze Okafor")
    add_item(app, fellow.id, "Opioid Tapering in a Multidisciplinary Clinic!")  # the same title, differently typed
    client = login(app.test_client(), fellow)
    assert check_page(client.get("/scholarly/import").data) == []
    response = client.post("/scholarly/import", data={"text": BIBTEX})
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200 and check_page(preview.data) == []
    page = text(preview)
    assert "Same title as “Opioid Tapering in a Multidisciplinary Clinic!”" in page
    assert re.search(r'value="0" id="chosen-0" checked', page) and not re.search(r'value="1" id="chosen-1" checked',
                                                                                   page)
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/scholarly/import/{import_id}", data={}).status_code == 400  # nothing chosen
    assert client.post(f"/scholarly/import/{import_id}", data={"chosen": "0"}).status_code == 302
    with app.app_context():
        titles = db.session.scalars(select(ScholarlyItem.title).order_by(ScholarlyItem.id)).all()
        assert titles == ["Opioid Tapering in a Multidisciplinary Clinic!",
                          "Genicular nerve ablation after knee arthroplasty"]
        assert db.session.scalar(select(func.count()).select_from(ScholarlyImport)) == 0
    # The same file again: both are duplicates now (by DOI, and by title).
    again = client.get(client.post("/scholarly/import", data={"text": BIBTEX}).headers["Location"])
    assert "Same DOI as “Genicular nerve ablation after knee arthroplasty”" in text(again)


def test_duplicates_by_pmid(app, make_user, login):
    fellow = make_user()
    add_item(app, fellow.id, "Something else entirely", pmid="38912345")
    client = login(app.test_client(), fellow)
    response = client.post("/scholarly/import", data={"text": "PMID- 38912345\nTI  - A new title\n"})
    assert "Same PMID as “Something else entirely”" in text(client.get(response.headers["Location"]))


def test_malformed_input_says_what_is_wrong_per_item_and_saves_nothing(app, make_user, login):
    client = login(app.test_client(), make_user())
    broken = BIBTEX.replace("doi = {10.1093/pm/pnae123}", "doi = {not-a-doi}") + "@article{x,\n title = {Unclosed\n"
    response = client.post("/scholarly/import", data={"text": broken})
    assert response.status_code == 400 and check_page(response.data) == []
    page = text(response)
    assert "Nothing was imported: 2 items cannot be read" in page
    assert "Item 1 (line 1)" in page and "“not-a-doi” is not a DOI" in page
    assert "Item 3 (line 12)" in page and "could not be read as BibTeX" in page
    assert count(app, ScholarlyItem) == 0 and count(app, ScholarlyImport) == 0
    nonsense = client.post("/scholarly/import", data={"text": "Okafor et al, Pain Med 2025"})
    assert nonsense.status_code == 400 and "not RIS, BibTeX or MEDLINE" in text(nonsense)


def upload(client, data: bytes, filename: str):
    return post_file(client, "/scholarly/import", "upload", data, filename)


def test_an_upload_over_the_limit_is_refused(app, make_user, login):
    client = login(app.test_client(), make_user())
    big = ("%" + "x" * 99 + "\n") * 6000  # 600 KB
    response = upload(client, big.encode(), "library.bib")
    assert response.status_code == 413 and "at most 512 KB" in text(response)
    small = upload(client, BIBTEX.encode(), "mine.bib")
    assert small.status_code == 302
    assert "mine.bib" in text(client.get(small.headers["Location"]))
    assert count(app, ScholarlyItem) == 0


def test_another_members_import_is_not_found(app, make_user, login):
    owner, other = make_user(), make_user()
    response = login(app.test_client(), owner).post("/scholarly/import", data={"text": BIBTEX})
    location = response.headers["Location"]
    client = login(app.test_client(), other)
    assert client.get(location).status_code == 404
    assert client.post(location, data={"chosen": "0"}).status_code == 404
    assert count(app, ScholarlyItem) == 0


# -- query budget ----------------------------------------------------------------------------------------------

def test_the_profile_costs_the_same_queries_with_5_and_500_items(app, make_user, login, count_queries):
    owner, viewer = make_user(), make_user()
    client = login(app.test_client(), viewer)

    def grow(n):
        with app.app_context():
            items = [ScholarlyItem(owner_id=owner.id, kind=ItemKind.ARTICLE, status=ItemStatus.PUBLISHED,
                                   title=f"Paper {i}", published_on=date(2025, 1, 1)) for i in range(n)]
            db.session.add_all(items)
            db.session.flush()
            db.session.add_all([ScholarlyAuthor(item_id=item.id, position=p, name=f"Author {p}", member_id=viewer.id
                                                if p == 1 else None, confirmation=AuthorConfirmation.CONFIRMED
                                                if p == 1 else None) for item in items for p in range(3)])
            db.session.commit()

    counts = []
    for n in (5, 495):
        grow(n)
        for url in (f"/members/{owner.id}", f"/scholarly/members/{owner.id}", f"/members/{viewer.id}"):
            client.get(url)
        with count_queries() as statements:
            for url in (f"/members/{owner.id}", f"/scholarly/members/{owner.id}", f"/members/{viewer.id}"):
                assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
