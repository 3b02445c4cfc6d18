"""The words on the pages read as English: counts with proper plurals (never "row(s)"), sentences
joined as sentences, run labels without doubled brackets, notifications newest first by date, and the
demo administrator's name without a doubled role label."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, update

from network.extensions import db
from network.mentorship.models import Mentorship
from network.notifications import services as notification_services
from network.notifications.models import Notification
from network.text.words import plural
from network.types import utcnow
from tests.conftest import outbox
from tests.test_matching_rounds import prepared_round, world  # noqa: F401 (fixture)
from tests.test_mentorship import mentorship  # noqa: F401 (fixture)
from tests.test_programs import make_program
from tests.test_roster_import import HEADER, upload

ROOT = Path(__file__).resolve().parent.parent


def visible_text(html: str) -> str:
    """The page's text as a reader gets it: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize(("count", "singular", "many", "expected"), [
    (0, "invitation", None, "0 invitations"),
    (1, "invitation", None, "1 invitation"),
    (2, "invitation", None, "2 invitations"),
    (1, "entry", "entries", "1 entry"),
    (3, "entry", "entries", "3 entries"),
    (1, "process", "processes", "1 process"),
    (1200, "row", None, "1,200 rows"),
])
def test_plural_counts(count, singular, many, expected):
    assert plural(count, singular, many) == expected


def test_no_template_or_message_writes_a_plural_in_brackets():
    """The whole class: "(s)", "(es)" after a word, in every template and every message in the code."""
    pattern = re.compile(r"[a-z]\((s|es)\)")
    offenders = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("templates").rglob("*.txt"),
                 *ROOT.joinpath("network").rglob("*.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line.replace("http(s)", "")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_counts_are_pluralised_by_the_one_helper_not_by_hand():
    """``plural()`` everywhere: no template or message adds its own "s" after a count."""
    by_hand = re.compile(r"""['"](s|es|y|)['"] if [^}]*(!=|==) ?1|== 1 else ['"](s|ies|es)['"]""")
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("network").rglob("*.py")]
                 for number, line in enumerate(path.read_text().splitlines(), 1) if by_hand.search(line)]
    assert offenders == []


def test_no_two_badges_are_glued_together_by_the_template_whitespace_rules():
    """Templates trim the newline after a block tag, so a badge that ends a line with ``{% endif %}``
    touches a badge that starts the next line with ``{% if %}`` ("PastBookmarked") unless a space or a
    margin keeps them apart."""
    glued = []
    for path in ROOT.joinpath("templates").rglob("*.html"):
        lines = path.read_text().splitlines()
        for number, (line, following) in enumerate(pairwise(lines), 1):
            badge = re.match(r"\{%[^%]*%\}<span class=\"([^\"]*)\"", following.strip())
            if line.rstrip().endswith("</span>{% endif %}") and badge and "badge" in badge.group(1) \
                    and not re.search(r"\bm[se]-\d", badge.group(1)) \
                    and not re.search(r"\bm[se]-\d", line[line.rfind("<span"):]):
                glued.append(f"{path.relative_to(ROOT)}:{number}")
    assert glued == []


@pytest.mark.parametrize(("count", "expected"), [(1, "1 member."), (3, "3 members.")])
def test_admin_members_page_counts_members(app, make_user, login, count, expected):
    admin = make_user(role="admin")
    for _ in range(count - 1):
        make_user()
    text = visible_text(login(app.test_client(), admin).get("/admin/members/").get_data(as_text=True))
    assert expected in text and "(s)" not in text


@pytest.mark.parametrize(("fellows", "expected"), [(1, "1 fellow ·"), (2, "2 fellows ·")])
def test_cohort_dashboard_counts_fellows(app, make_user, login, fellows, expected):
    setup = make_program(app, make_user, fellows=fellows)
    page = login(app.test_client(), setup["director"]).get(f"/cohorts/{setup['cohort']}/dashboard")
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200 and expected in text and "(s)" not in text


@pytest.mark.parametrize(("emails", "expected"), [
    ("one@example.org", "1 invitation sent."),
    ("one@example.org, two@example.org", "2 invitations sent."),
])
def test_invitation_flash_counts_invitations(app, make_user, login, emails, expected):
    setup = make_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    client.post(f"/cohorts/{setup['cohort']}/invitations", data={"invite-emails": emails, "invite-role": "fellow"})
    text = visible_text(client.get(f"/cohorts/{setup['cohort']}").get_data(as_text=True))
    assert expected in text and "(s)" not in text


@pytest.mark.parametrize(("valid", "rows_text", "button"), [
    (1, "2 rows.", "Import 1 valid row"),
    (2, "3 rows.", "Import 2 valid rows"),
])
def test_roster_preview_counts_rows_and_joins_problems_as_sentences(app, make_user, login, valid, rows_text, button):
    setup = make_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    data = HEADER + "".join(f"Dr. New {n},new{n}@example.org,fellow,,\n" for n in range(valid))
    data += "Dr. Odd,odd@example.org,janitor,Dermatology,\n"
    staged = upload(client, setup["cohort"], data.encode())
    preview = visible_text(client.get(staged.headers["Location"]).get_data(as_text=True))
    assert rows_text in preview and button in preview and "(s)" not in preview
    assert re.search(button + r"\b(?!s)", preview)
    done = client.post(staged.headers["Location"])
    summary = visible_text(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "use fellow or faculty. The training background “Dermatology” is unknown." in summary
    assert ".;" not in summary and "will be invited" not in summary


def test_workspace_separates_last_met_from_the_overdue_flag(app, login, mentorship):  # noqa: F811
    fellow, _, mentorship_id = mentorship
    client = login(app.test_client(), fellow)
    met = (date.today() - timedelta(days=90)).isoformat()
    client.post(f"/mentorship/{mentorship_id}/meetings", data={"meeting-met_on": met, "meeting-minutes": "30",
                                                               "meeting-mode": "phone"})
    with app.app_context():
        db.session.execute(update(Mentorship).values(started_at=utcnow() - timedelta(days=100), cadence_days=30))
        db.session.commit()
    html = client.get(f"/mentorship/{mentorship_id}").get_data(as_text=True)
    assert "Overdue" in html
    assert re.search(r"Last met \d+ \w+ \d{4}\.\s+<span[^>]*>Overdue", html), "no space before the Overdue flag"


def test_matching_run_label_has_no_doubled_brackets(app, login, world):  # noqa: F811
    director, round_id = prepared_round(app, login, world)
    director.post(f"/matching/{round_id}/runs")
    text = visible_text(director.get(f"/matching/{round_id}/preview").get_data(as_text=True))
    assert "))" not in text
    assert re.search(r"Run \d+ · Stable \(NRMP-style, fellow-proposing\)", text)


def test_set_every_kind_at_once_comes_before_the_choices(app, make_user, login):
    html = login(app.test_client(), make_user()).get("/notifications/settings").get_data(as_text=True)
    assert html.index("Set every kind at once") < html.index('name="group_')


def notify_at(app, member_id, title, minutes_ago, for_digest=False):
    with app.test_request_context():
        notification_services.notify(member_id, "message-new", title, "/messages/")
        db.session.flush()
        db.session.execute(update(Notification).where(Notification.title == title)
                           .values(created_at=utcnow() - timedelta(minutes=minutes_ago), for_digest=for_digest))
        db.session.commit()


def test_notifications_are_listed_newest_first_by_date_not_by_id(app, make_user, login):
    member = make_user()
    # Made in id order, but dated otherwise (an import, a clock step, a backfill).
    notify_at(app, member.id, "Written second", 10)
    notify_at(app, member.id, "Written first", 30)
    notify_at(app, member.id, "Newest of all", 1)
    html = login(app.test_client(), member).get("/notifications/").get_data(as_text=True)
    positions = [html.index(title) for title in ("Newest of all", "Written second", "Written first")]
    assert positions == sorted(positions)


def test_notification_pages_follow_the_date_order(app, make_user, login, monkeypatch):
    from network.notifications import routes
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    member = make_user()
    for title, minutes in (("N-c", 10), ("N-e", 50), ("N-a", 1), ("N-d", 30), ("N-b", 5)):
        notify_at(app, member.id, title, minutes)
    client = login(app.test_client(), member)
    seen, url = [], "/notifications/"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"N-[a-e]", html)
        older = re.search(r'href="(/notifications/\?before=[^"]+)"', html)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == ["N-a", "N-b", "N-c", "N-d", "N-e"]


def test_the_daily_digest_lists_notifications_by_date(app, make_user, runner):
    member = make_user()
    notify_at(app, member.id, "Digest later", 5, for_digest=True)
    notify_at(app, member.id, "Digest earlier", 60, for_digest=True)
    assert runner.invoke(args=["digest", "daily"]).exit_code == 0
    [digest] = outbox(app, "daily-digest")
    assert digest.text_body.index("Digest earlier") < digest.text_body.index("Digest later")


def test_the_demo_administrator_shows_one_role_label(app, runner, login):
    from network.members.models import User
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.email == "admin@example.org")).one()
        db.session.expunge(admin)
    html = login(app.test_client(), admin).get("/").get_data(as_text=True)
    text = visible_text(html)
    assert "Morgan Blake (Administrator)" in text
    assert "(Admin)" not in text
