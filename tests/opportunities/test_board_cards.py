"""What a card on the board shows, and that the board's statements (built once, values as parameters) give
each viewer and each filter value their own answer, with every edit visible on the next view."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from network.extensions import db
from network.opportunities.models import Opportunity, OpportunityStatus, WorkMode
from network.profiles.models import Profile
from network.taxonomy.models import Interest
from tests.opportunities.test_board import titles


def card(client, url: str, title: str) -> str:
    """The text of the card whose heading is ``title`` on the page at ``url`` ("" when it is not there)."""
    page = client.get(url).get_data(as_text=True)
    for item in re.findall(r'<li class="card">.*?</li>', page, re.DOTALL):
        if f">{title}</a></h3>" in item:
            return " ".join(item.split())
    return ""


def heading(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'<h2 id="results-heading"[^>]*>([^<]+)</h2>', page).group(1)


def test_cards_show_kind_place_dates_credits_tags_and_bookmark(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    fellow = make_user()
    job = make_opportunity(poster, "job", title="Alpha attending", organisation="Northbridge", location="Boston, MA",
                           interests=["Telemedicine", "Cancer pain"], time_zone="America/New_York",
                           deadline=datetime(2040, 3, 1, 15, 0, tzinfo=UTC))
    make_opportunity(poster, "webinar", title="Beta webinar", organisation="", location="", venue="",
                     online_url="https://example.org/live", work_mode=WorkMode.REMOTE, cme_credits=Decimal("1.50"),
                     time_zone="Europe/London", starts_at=datetime(2040, 7, 2, 9, 30, tzinfo=UTC),
                     ends_at=datetime(2040, 7, 2, 11, 0, tzinfo=UTC), deadline=None)
    make_opportunity(poster, "research", title="Gamma study", organisation="", location="", online_url="",
                     deadline=None)
    client = signed_in(fellow)

    alpha = card(client, "/opportunities/", "Alpha attending")
    assert f'href="/opportunities/{job}"' in alpha
    assert ">Job</span>" in alpha and "Northbridge · Boston, MA · On site" in alpha
    assert "<strong>Deadline</strong> 1 Mar 2040 EST" in alpha and "Starts" not in alpha
    # Tags are alphabetical whatever order they were given in.
    assert alpha.index(">Cancer pain<") < alpha.index(">Telemedicine<")
    assert "Bookmarked" not in alpha and "Past" not in alpha and "Closed" not in alpha

    beta = card(client, "/opportunities/", "Beta webinar")
    assert ">Webinar</span>" in beta and "Online · Remote / online" in beta
    assert "<strong>Starts</strong> Mon 2 Jul 2040, 10:30 BST" in beta and "Deadline" not in beta
    assert "· 1.5 CME credits" in beta and "rounded-pill" not in beta

    gamma = card(client, "/opportunities/", "Gamma study")
    assert ">Research collaboration</span>" in gamma and "No fixed place · On site" in gamma

    assert client.post(f"/opportunities/{job}/bookmark").status_code == 302
    assert "Bookmarked" in card(client, "/opportunities/", "Alpha attending")
    assert "Bookmarked" not in card(client, "/opportunities/", "Beta webinar")
    # Someone else's bookmark is theirs: the same statement, another viewer.
    assert "Bookmarked" not in card(signed_in(make_user()), "/opportunities/", "Alpha attending")
    assert client.post(f"/opportunities/{job}/unbookmark").status_code == 302
    assert "Bookmarked" not in card(client, "/opportunities/", "Alpha attending")


def test_edits_closing_and_expiry_show_on_the_next_view(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    job = make_opportunity(poster, "job", title="Alpha attending", interests=["Cancer pain"])
    study = make_opportunity(poster, "research", title="Gamma study")
    client = signed_in(make_user())
    assert ">Cancer pain<" in card(client, "/opportunities/", "Alpha attending")
    with app.app_context():
        opportunity = db.session.get(Opportunity, job)
        opportunity.title = "Alpha consultant"
        opportunity.location = "Austin, TX"
        opportunity.interests = list(db.session.scalars(select(Interest).where(Interest.name == "Telemedicine")))
        db.session.commit()
    assert card(client, "/opportunities/", "Alpha attending") == ""
    alpha = card(client, "/opportunities/", "Alpha consultant")
    assert "Austin, TX" in alpha and ">Telemedicine<" in alpha and "Cancer pain" not in alpha

    with app.app_context():
        db.session.get(Opportunity, study).status = OpportunityStatus.CLOSED
        db.session.get(Opportunity, job).deadline = datetime.now(UTC) - timedelta(hours=1)
        db.session.commit()
    assert titles(client.get("/opportunities/")) == []
    assert ">Closed</span>" in card(client, "/opportunities/archive", "Gamma study")
    expired = card(client, "/opportunities/archive", "Alpha consultant")
    assert ">Past</span>" in expired and "Closed" not in expired


def test_filter_values_are_parameters_of_a_reused_statement(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    make_opportunity(poster, "job", title="Underscore clinic", location="Unit_5 Clinic", interests=["Cancer pain"])
    make_opportunity(poster, "locum", title="Plain clinic", location="Unit 55 Clinic", interests=["Telemedicine"])
    make_opportunity(poster, "job", title="Percent clinic", location="Ward 100% Austin")
    cancer, telemedicine = make_user(), make_user()
    with app.app_context():
        for member, name in ((cancer, "Cancer pain"), (telemedicine, "Telemedicine")):
            profile = Profile(user_id=member.id)
            profile.interests = list(db.session.scalars(select(Interest).where(Interest.name == name)))
            db.session.add(profile)
        db.session.commit()
    client = signed_in(cancer)
    # LIKE's wildcards are letters like any other in the location box.
    assert titles(client.get("/opportunities/?location=t_5")) == ["Underscore clinic"]
    assert titles(client.get("/opportunities/?location=100%25")) == ["Percent clinic"]
    assert titles(client.get("/opportunities/?location=%25+clinic")) == []
    assert sorted(titles(client.get("/opportunities/?location=unit"))) == ["Plain clinic", "Underscore clinic"]
    assert titles(client.get("/opportunities/?kind=locum")) == ["Plain clinic"]
    assert sorted(titles(client.get("/opportunities/?kind=job"))) == ["Percent clinic", "Underscore clinic"]
    assert titles(client.get("/opportunities/?q=underscore")) == ["Underscore clinic"]
    assert titles(client.get("/opportunities/?q=plain")) == ["Plain clinic"]
    # "Matches my interests" is the viewer's own.
    assert titles(client.get("/opportunities/?mine=y")) == ["Underscore clinic"]
    assert titles(signed_in(telemedicine).get("/opportunities/?mine=y")) == ["Plain clinic"]


def test_a_page_past_the_end_still_counts_what_the_filters_find(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    for _ in range(3):
        make_opportunity(poster, "job")
    make_opportunity(poster, "locum")
    client = signed_in(make_user())
    assert heading(client, "/opportunities/?page=1") == "4 opportunities"
    assert heading(client, "/opportunities/?page=9") == "4 opportunities"
    assert heading(client, "/opportunities/?kind=locum&page=9") == "1 opportunity"
    assert "Nothing matches these filters." in client.get("/opportunities/?page=9").get_data(as_text=True)


def test_the_filter_form_shows_each_query_its_own_values_and_errors(app, make_user, signed_in):
    """Each view's filter form shows that query's own values and errors, never an earlier view's."""
    client = signed_in(make_user())

    def form(url: str) -> str:
        page = client.get(url).get_data(as_text=True)
        return re.search(r'<form method="get".*?</form>', page, re.DOTALL).group(0)

    plain = form("/opportunities/")
    assert 'action="/opportunities/"' in plain and 'type="search" id="q" name="q" value=""' in plain
    searched = form("/opportunities/?q=ultrasound&kind=webinar&sort=deadline")
    assert 'value="ultrasound"' in searched
    assert 'value="webinar" checked' in searched and 'value="job" checked' not in searched
    assert '<option value="deadline" selected>' in searched
    assert form("/opportunities/?q=cooled+rf").count('value="cooled rf"') == 1
    too_long = form("/opportunities/?location=" + "x" * 121)
    assert 'aria-invalid="true"' in too_long and "invalid-feedback" in too_long
    # Back to an earlier query: its own state, not the last one's.
    assert form("/opportunities/") == plain
    assert 'value="ultrasound"' not in form("/opportunities/?kind=webinar")
    archive = form("/opportunities/archive?q=ultrasound&kind=webinar&sort=deadline")
    assert 'action="/opportunities/archive"' in archive and 'href="/opportunities/archive">Clear' in archive
