"""The board: filters, sort, search, pages, archive; query budget; valid pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.opportunities.models import Opportunity, OpportunityKind, WorkMode
from network.profiles.models import Profile
from network.taxonomy.models import Interest
from tests.html_checks import check_page


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="h5 mt-1 mb-1"><a href="[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def test_filters_search_sort_and_archive(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    fellow = make_user()
    with app.app_context():
        profile = Profile(user_id=fellow.id)
        profile.interests = list(db.session.scalars(select(Interest).where(Interest.name == "Cancer pain")))
        db.session.add(profile)
        db.session.commit()
    now = datetime.now(UTC)
    make_opportunity(poster, "job", title="Cancer pain attending", interests=["Cancer pain"],
                     deadline=now + timedelta(days=50), location="Boston, MA")
    make_opportunity(poster, "locum", title="Remote telehealth locum", work_mode=WorkMode.REMOTE, location="",
                     deadline=now + timedelta(days=5), interests=["Telemedicine"])
    make_opportunity(poster, "workshop", title="Ultrasound course", interests=["Ultrasound-guided nerve blocks"],
                     location="Austin, TX",
                     starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=5), deadline=None)
    make_opportunity(poster, "job", title="Expired job", deadline=now - timedelta(days=1))
    make_opportunity(poster, "conference", title="Past congress", deadline=None,
                     starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=9))
    client = signed_in(fellow)
    everything = titles(client.get("/opportunities/"))
    assert sorted(everything) == ["Cancer pain attending", "Remote telehealth locum", "Ultrasound course"]
    assert sorted(titles(client.get("/opportunities/archive"))) == ["Expired job", "Past congress"]
    assert titles(client.get("/opportunities/?mine=y")) == ["Cancer pain attending"]
    assert titles(client.get("/opportunities/?kind=locum")) == ["Remote telehealth locum"]
    assert sorted(titles(client.get("/opportunities/?kind=locum&kind=workshop"))) == [
        "Remote telehealth locum", "Ultrasound course"]
    assert titles(client.get("/opportunities/?work_mode=remote")) == ["Remote telehealth locum"]
    assert titles(client.get("/opportunities/?location=boston")) == ["Cancer pain attending"]
    assert titles(client.get("/opportunities/?q=ULTRASOUND")) == ["Ultrasound course"]
    assert titles(client.get("/opportunities/?q=telehealth+locum")) == ["Remote telehealth locum"]
    assert titles(client.get("/opportunities/?q=100%25")) == []
    assert titles(client.get("/opportunities/?deadline_days=7")) == ["Remote telehealth locum"]
    assert titles(client.get("/opportunities/?sort=deadline"))[:2] == ["Remote telehealth locum",
                                                                      "Cancer pain attending"]
    assert titles(client.get("/opportunities/?sort=starting"))[0] == "Ultrasound course"
    with app.app_context():
        interest = db.session.scalar(select(Interest.id).where(Interest.name == "Telemedicine"))
    assert titles(client.get(f"/opportunities/?interests={interest}")) == ["Remote telehealth locum"]
    # Nonsense in the query string never breaks the page.
    for junk in ("page=-3", "page=abc", "sort=evil", "deadline_days=x", "specialty=zz", "interests=abc",
                 "kind=nope", "work_mode=<script>"):
        assert client.get(f"/opportunities/?{junk}").status_code == 200, junk


def bulk_opportunities(app, poster_id: int, count: int, past: bool = False) -> int:
    """``count`` current (or ``past``: 200 days ago) opportunities of every kind with two tags each; returns the
    last id."""
    now = datetime.now(UTC) - timedelta(days=200 if past else 0)
    with app.app_context():
        interests = db.session.scalars(select(Interest).order_by(Interest.id).limit(6)).all()
        kinds = list(OpportunityKind)
        rows = []
        for n in range(count):
            kind = kinds[n % len(kinds)]
            o = Opportunity(kind=kind, poster_id=poster_id, title=f"Bulk {n}", organisation="Org", location="Austin",
                            description="Text", apply_url="https://example.org", time_zone="America/Chicago",
                            deadline=now + timedelta(days=10 + n % 50), going_count=0,
                            created_at=now - timedelta(minutes=n))
            if kind.is_event:
                o.starts_at, o.ends_at, o.venue, o.capacity = (now + timedelta(days=60), now + timedelta(days=61),
                                                               "Hall", 50)
            o.interests = [interests[n % 6], interests[(n + 1) % 6]]
            rows.append(o)
        db.session.add_all(rows)
        db.session.commit()
        return rows[-1].id


def _queries(client, count_queries, url) -> int:
    client.get(url)  # warm up: the first request of a session writes "last seen"
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/opportunities/", "/opportunities/?mine=y&sort=deadline&q=bulk",
                                  "/opportunities/archive", "detail", "event", "/opportunities/mine"])
def test_query_budget_is_constant(app, make_user, signed_in, count_queries, path):
    poster = make_user(role="alumni")
    viewer = make_user()
    client = signed_in(viewer)
    counts = []
    for total in (5, 500):
        last = bulk_opportunities(app, poster.id, total if not counts else total - 5)
        url = {"detail": f"/opportunities/{last}", "event": f"/opportunities/{last - 3}"}.get(path, path)
        counts.append(_queries(client, count_queries, url))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


def test_pages_are_valid_html(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    admin = make_user(role="admin")
    fellow = make_user()
    job = make_opportunity(poster, "job", interests=["Cancer pain"])
    research = make_opportunity(poster, "research")
    event = make_opportunity(poster, "workshop", capacity=3)
    signed_in(fellow).post(f"/opportunities/{job}/interest", data={"note": "Hello"})
    signed_in(fellow).post(f"/opportunities/{event}/rsvp", data={"status": "going"})
    signed_in(fellow).post(f"/opportunities/{job}/bookmark")
    pages = [
        (fellow, ["/opportunities/", "/opportunities/?mine=y&kind=job", "/opportunities/archive",
                 "/opportunities/mine", f"/opportunities/{job}", f"/opportunities/{event}",
                 f"/opportunities/{research}", "/opportunities/new", "/opportunities/new/research",
                 "/opportunities/new/conference", "/opportunities/calendar", "/"]),
        (poster, [f"/opportunities/{job}", f"/opportunities/{job}/interested", f"/opportunities/{job}/edit",
                 f"/opportunities/{event}/edit", f"/opportunities/{research}/edit", "/opportunities/new/job",
                 "/opportunities/mine"]),
        (admin, [f"/opportunities/{event}", f"/opportunities/{job}/interested"]),
    ]
    for member, urls in pages:
        client = signed_in(member)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert check_page(response.data) == [], url
    client = signed_in(poster)
    client.post("/opportunities/calendar/feed")
    assert check_page(client.get("/opportunities/calendar").data) == []
    invalid = client.post("/opportunities/new/workshop", data={"title": ""})
    assert invalid.status_code == 400 and check_page(invalid.data) == []


def test_search_index_follows_edits(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    job = make_opportunity(poster, "job", title="Kyphoplasty attending")
    client = signed_in(poster)
    assert titles(client.get("/opportunities/?q=kyphoplasty")) == ["Kyphoplasty attending"]
    from network.opportunities.models import Opportunity as Model

    with app.app_context():
        opportunity = db.session.get(Model, job)
        opportunity.title = "Vertebral augmentation attending"
        db.session.commit()
    assert titles(client.get("/opportunities/?q=kyphoplasty")) == []
    assert titles(client.get("/opportunities/?q=vertebr")) == ["Vertebral augmentation attending"]


def test_filter_terms_follow_taxonomy_edits_on_the_next_view(app, make_user, signed_in):
    """The board's specialties and interests are kept per process between edits of the terms."""
    client = signed_in(make_user())
    page = client.get("/opportunities/").get_data(as_text=True)
    assert ">Cancer pain<" in page
    with app.app_context():
        interest = db.session.scalars(select(Interest).where(Interest.name == "Cancer pain")).one()
        interest.name = "Cancer and palliative pain"
        db.session.commit()
    page = client.get("/opportunities/").get_data(as_text=True)
    assert ">Cancer and palliative pain<" in page and ">Cancer pain<" not in page
    with app.app_context():
        db.session.scalars(select(Interest).where(Interest.name == "Cancer and palliative pain")).one().retired_at = \
            datetime.now(UTC)
        db.session.commit()
    assert "Cancer and palliative pain" not in client.get("/opportunities/").get_data(as_text=True)


def test_the_filter_form_shows_the_state_asked_for_whichever_was_shown_before(app, make_user, signed_in):
    """The form's HTML is kept per state picked from the lists: each state, and each page, shows its own."""
    client = signed_in(make_user())
    with app.app_context():
        tag = db.session.scalar(select(Interest.id).where(Interest.name == "Cancer pain"))

    def checked(path: str) -> set[str]:
        body = client.get(path).get_data(as_text=True)
        start = body.rindex("<form", 0, body.index('aria-label="Filter opportunities"'))
        form = body[start:body.index("</form>", start)]
        return set(re.findall(r'<input[^>]*value="([^"]+)"[^>]*checked', form)) | (
            {"sorted by deadline"} if re.search(r'<option[^>]*value="deadline"[^>]*selected', form) else set()) | (
            {"archive"} if 'action="/opportunities/archive"' in form else set())

    for _ in range(2):  # the second round is served from what the first kept
        assert checked("/opportunities/") == set()
        assert checked("/opportunities/?kind=job") == {"job"}
        assert checked("/opportunities/?kind=job&mine=y") == {"job", "y"}
        assert checked(f"/opportunities/?kind=job&kind=locum&interests={tag}&sort=deadline") == {
            "job", "locum", str(tag), "sorted by deadline"}
        assert checked("/opportunities/archive?kind=job") == {"job", "archive"}
        assert checked("/opportunities/?kind=nonsense&interests=999999") == set()
    body = client.get("/opportunities/?location=Austin&q=ultrasound").get_data(as_text=True)
    assert 'value="Austin"' in body and 'value="ultrasound"' in body
    # Only values the lists offer make a kept form: typed words and unknown values are written afresh.
    kept = [key for key in app.extensions["cache"]._values if "board-filters" in key]
    assert len(kept) == 5  # the unknown values show the plain board's form
    assert not any(word in key for key in kept for word in ("nonsense", "999999", "Austin", "ultrasound"))
