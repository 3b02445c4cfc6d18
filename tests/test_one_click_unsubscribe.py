"""RFC 8058 one-click unsubscribe works for every mail that offers it: the mail client POSTs
``List-Unsubscribe=One-Click`` to the List-Unsubscribe address with no session and no CSRF token, gets 200,
and the mail stops. The pages behind those links never show the member's address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.mail.services import build_message
from network.members.models import User
from network.notifications import services
from network.notifications.kinds import GROUPS, Delivery
from network.opportunities.digest import send_weekly_digests
from network.opportunities.models import Opportunity, OpportunityKind, OpportunityPreference, OpportunityStatus
from network.profiles.models import Profile
from network.taxonomy.models import Interest
from network.types import utcnow
from tests.conftest import outbox

#: A notification kind in each preference group, then the two digests.
NOTIFICATION_KINDS = {group.key: {"message": "message-new", "mentorship": "mentorship-request",
                                  "opportunity": "opportunity-interest", "cohort": "cohort-graduated",
                                  "matching": "matching-result", "reminder": "reminder-meeting",
                                  "scholarly": "scholarly-coauthor",
                                  "other": "something-else"}.get(group.key, group.key) for group in GROUPS}
MAIL_KINDS = sorted(NOTIFICATION_KINDS.values()) + ["daily-digest", "opportunity-digest"]
#: Every route a List-Unsubscribe header may point to.
UNSUBSCRIBE_ENDPOINTS = {"notifications.unsubscribe", "opportunities.unsubscribe"}


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _mail_of_kind(app, member, kind: str):
    """Send ``member`` a mail of ``kind`` the way the app does; returns the outbox row."""
    with app.test_request_context():
        user = db.session.get(User, member.id)
        if kind == "daily-digest":
            services.set_preferences(user.id, {"message": Delivery.DAILY})
            services.notify_members([user], "message-new", "Dr. A wrote", "/messages/", mail_subject="Dr. A wrote",
                                    mail_template="mentorship_event")
            db.session.flush()
            assert services.send_daily_digests() == 1
        elif kind == "opportunity-digest":
            interest = db.session.scalars(select(Interest).order_by(Interest.id)).first()
            profile = Profile(user_id=user.id)
            profile.interests = [interest]
            opportunity = Opportunity(kind=OpportunityKind.JOB, title="A pain job", organisation="Northbridge",
                                      location="Boston, MA", description="Good.", time_zone="UTC",
                                      status=OpportunityStatus.OPEN, going_count=0,
                                      deadline=utcnow() + timedelta(days=30))
            opportunity.interests = [interest]
            db.session.add_all([profile, opportunity])
            db.session.flush()
            assert send_weekly_digests()["sent"] == 1
        else:
            assert services.notify_members([user], kind, "Something happened", "/notifications/",
                                           mail_subject="Something happened",
                                           mail_template="mentorship_event") == 1
        db.session.commit()
    [mail] = outbox(app, kind)
    return mail


def _stopped(app, member, kind: str) -> bool:
    with app.app_context():
        if kind == "opportunity-digest":
            preference = db.session.get(OpportunityPreference, member.id)
            return preference is not None and preference.digest_enabled is False
        chosen = services.preferences(member.id)
        if kind == "daily-digest":
            return chosen["message"] == Delivery.IN_APP
        group = next(key for key, value in NOTIFICATION_KINDS.items() if value == kind)
        return chosen[group] == Delivery.IN_APP


@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_one_click_unsubscribe_needs_no_csrf_token(app, make_user, kind):
    member = make_user()
    mail = _mail_of_kind(app, member, kind)
    message = build_message(mail, "network@example.org")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    path = "/" + url.split("/", 3)[3]
    mail_client = app.test_client()  # no session, no cookie, no CSRF token
    assert not _stopped(app, member, kind)
    answer = mail_client.post(path, data="List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert _stopped(app, member, kind)
    # The page's own button still needs the form's token.
    assert app.test_client().post(path, data={"csrf_token": "forged"}).status_code == 400


@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_the_unsubscribe_page_does_not_show_the_address(app, make_user, kind):
    member = make_user(email="private.person@hospital.example")
    mail = _mail_of_kind(app, member, kind)
    path = "/" + mail.unsubscribe_url.split("/", 3)[3]
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "private.person" not in html and "hospital.example" not in html
    done = visitor.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert "private.person" not in done.get_data(as_text=True)


def test_every_unsubscribe_route_is_covered(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "unsubscribe" in rule.rule}
    assert endpoints == UNSUBSCRIBE_ENDPOINTS
