"""The notification centre: a delivery choice per group of notifications, digests that never repeat,
signed one-click unsubscribe links, and the unread badges in one query."""

from __future__ import annotations

import re
import threading

import flask_migrate
from sqlalchemy import func, select, text

from network import create_app
from network.cache import UNWATCHED
from network.extensions import db
from network.mail.services import deliver_outbox
from network.members.models import User
from network.notifications import services
from network.notifications.kinds import GROUPS, Delivery, group_of
from network.notifications.models import Notification, NotificationPreference
from network.notifications.unsubscribe import make_token
from tests.conftest import outbox
from tests.html_checks import check_page


def page_text(response) -> str:
    return response.data.decode()


def choose(client, **groups):
    """Post the preferences form: ``choose(client, message="daily")`` (other groups left as they are)."""
    data = {f"group_{key.replace('-', '_')}": value for key, value in groups.items()}
    return client.post("/notifications/settings", data=data)


def tell(app, member_id: int, kind: str, title: str = "Something happened") -> int:
    """``notify_members`` as an area calls it; returns how many were notified."""
    with app.test_request_context():
        user = db.session.get(User, member_id)
        count = services.notify_members([user], kind, title, "/notifications/", mail_subject=title,
                                        mail_template="mentorship_event")
        db.session.commit()
        return count


def notifications_of(app, member_id: int) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == member_id)
                                  .order_by(Notification.id)).all()
        db.session.expunge_all()
        return rows


def test_kinds_fall_into_groups_with_other_for_unknown_ones():
    assert group_of("mentorship-request").key == "mentorship"
    assert group_of("discussion-mention").key == "discussion-mention"
    assert group_of("discussion-reply").key == "discussion-reply"
    assert group_of("opportunity-interest").key == "opportunity"
    assert group_of("message-new").key == "message"
    assert group_of("cohort-invitation").key == "cohort"
    assert group_of("matching-result").key == "matching"
    assert group_of("reminder-meeting").key == "reminder"
    assert group_of("something-new").label == "Other"


def test_each_group_has_its_own_choice_on_the_settings_page(app, make_user, login):
    member = make_user()
    client = login(app.test_client(), member)
    page = client.get("/notifications/settings")
    assert page.status_code == 200 and check_page(page.data) == []
    for group in GROUPS:
        assert group.label in page_text(page)
    assert choose(client, message="daily", **{"discussion-reply": "off"}).status_code == 302
    html = page_text(client.get("/notifications/settings"))
    [daily] = re.findall(r'<input[^>]*name="group_message"[^>]*value="daily"[^>]*>', html)
    [immediate] = re.findall(r'<input[^>]*name="group_message"[^>]*value="immediate"[^>]*>', html)
    assert "checked" in daily and "checked" not in immediate
    with app.app_context():
        assert services.preferences(member.id)["message"] == Delivery.DAILY
        assert services.preferences(member.id)["discussion-reply"] == Delivery.OFF
        assert services.preferences(member.id)["mentorship"] == Delivery.IMMEDIATE  # untouched default
    bad = choose(client, message="hourly")
    assert bad.status_code == 400 and "Choose one of the options." in page_text(bad)


def test_each_delivery_does_what_it_says(app, make_user, login):
    member = make_user()
    client = login(app.test_client(), member)
    choose(client, mentorship="off", opportunity="in_app", message="daily")
    assert tell(app, member.id, "mentorship-request", "Off: nothing at all") == 0
    assert tell(app, member.id, "opportunity-interest", "On the site only") == 1
    assert tell(app, member.id, "message-new", "For the digest") == 1
    assert tell(app, member.id, "reminder-meeting", "Right away") == 1
    titles = [n.title for n in notifications_of(app, member.id)]
    assert titles == ["On the site only", "For the digest", "Right away"]
    assert [m.subject for m in outbox(app)] == ["Right away"]
    assert "On the site only" in page_text(client.get("/notifications/"))


def test_notify_members_reads_every_recipients_choice_in_one_query(app, make_user, login, count_queries):
    members = [make_user() for _ in range(6)]
    choose(login(app.test_client(), members[0]), mentorship="off")
    with app.test_request_context():
        users = db.session.scalars(select(User).where(User.id.in_([m.id for m in members]))).all()
        with count_queries() as queries:
            notified = services.notify_members(users, "mentorship-accepted", "Accepted", "/mentorship/",
                                               mail_subject="Accepted", mail_template="mentorship_event")
            db.session.flush()
        db.session.commit()
    assert notified == 5
    assert sum("notification_preference" in q for q in queries) == 1


def test_the_daily_digest_holds_what_was_chosen_for_it_and_never_repeats(app, make_user, login, runner):
    reader, other = make_user(), make_user()
    choose(login(app.test_client(), reader), message="daily")
    tell(app, reader.id, "message-new", "Dr. A sent you a message: “Tuesday works”")
    tell(app, reader.id, "mentorship-request", "Dr. B asks you for mentoring")  # immediate: not in the digest
    tell(app, other.id, "message-new", "For someone else")
    result = runner.invoke(args=["digest", "daily"])
    assert result.exit_code == 0 and "1 digest mail queued." in result.output
    [digest] = outbox(app, "daily-digest")
    assert digest.recipient == reader.email and "Tuesday works" in digest.text_body
    assert "asks you for mentoring" not in digest.text_body
    assert digest.unsubscribe_url and "Stop these emails" in digest.text_body
    assert "0 digest mails queued." in runner.invoke(args=["digest", "daily"]).output
    tell(app, reader.id, "message-new", "Dr. A sent you a message: “Or Wednesday”")
    assert "1 digest mail queued." in runner.invoke(args=["digest", "daily"]).output
    second = outbox(app, "daily-digest")[1]
    assert "Or Wednesday" in second.text_body and "Tuesday works" not in second.text_body


def test_two_digest_runs_at_once_mail_each_notification_once(make_app, make_user, login):
    app = make_app()
    readers = [make_user() for _ in range(4)]
    for reader in readers:
        choose(login(app.test_client(), reader), message="daily")
        for n in range(3):
            tell(app, reader.id, "message-new", f"Message {n}")
    results = []

    def run():
        with app.app_context():
            results.append(services.send_daily_digests())
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    digests = outbox(app, "daily-digest")
    assert sum(results) == len(digests) == 4
    assert sorted(d.recipient for d in digests) == sorted(r.email for r in readers)
    assert all(d.text_body.count("Message ") == 3 for d in digests)


def test_a_mail_carries_one_click_unsubscribe_headers_that_work_without_a_session(make_app, make_user, smtp):
    app = make_app(WTF_CSRF_ENABLED=True)
    member = make_user()
    tell(app, member.id, "discussion-reply", "Dr. C replied in “Basivertebral ablation”")
    with app.app_context():
        assert deliver_outbox()["sent"] == 1
    message = smtp.wait_for(lambda m: m["To"] == member.email)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    path = "/" + url.split("/", 3)[3]
    html = message.get_body(preferencelist=("html",)).get_content()
    text_part = message.get_body(preferencelist=("plain",)).get_content()
    assert url in html and url in text_part
    visitor = app.test_client()  # the mail client: no session, no CSRF token
    page = visitor.get(path)
    assert page.status_code == 200 and check_page(page.data) == [] and "Replies" in page_text(page)
    forged = visitor.post(path, data={"csrf_token": "forged"})
    assert forged.status_code == 400
    with app.app_context():
        assert services.preferences(member.id)["discussion-reply"] == Delivery.IMMEDIATE
    done = visitor.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    with app.app_context():
        assert services.preferences(member.id)["discussion-reply"] == Delivery.IN_APP
        assert services.preferences(member.id)["mentorship"] == Delivery.IMMEDIATE
    # The next reply is still on the site, but no longer mailed.
    assert tell(app, member.id, "discussion-reply", "Another reply") == 1
    assert [m.subject for m in outbox(app, "discussion-reply")] == ["Dr. C replied in “Basivertebral ablation”"]


def test_the_unsubscribe_page_confirms_with_a_button_and_refuses_forged_links(app, make_user):
    member = make_user()
    client = app.test_client()
    with app.app_context():
        token, nonsense = make_token(member.email, "digest"), make_token(member.email, "nonsense")
        services.set_preferences(member.id, {"message": Delivery.DAILY, "discussion-reply": Delivery.DAILY})
        db.session.commit()
    assert client.get(f"/notifications/unsubscribe/{token}x").status_code == 404
    assert client.get(f"/notifications/unsubscribe/{nonsense}").status_code == 404
    done = client.post(f"/notifications/unsubscribe/{token}", follow_redirects=True)
    assert "No more emails about Direct messages, Replies" in page_text(done)
    with app.app_context():
        chosen = services.preferences(member.id)
    assert chosen["message"] == chosen["discussion-reply"] == Delivery.IN_APP


def test_account_mails_have_no_unsubscribe_link(app):
    app.test_client().post("/auth/register", data={"name": "Dr. Lee", "email": "dr.lee@hospital.org",
                                                   "password": "plexus block at dawn 42", "role": "alumni"})
    [mail] = outbox(app, "confirm-email")
    assert mail.unsubscribe_url is None and "Stop these emails" not in mail.text_body


def test_both_unread_badges_come_from_one_query(app, make_user, login, count_queries):
    member, writer = make_user(), make_user()
    login(app.test_client(), writer).post(f"/messages/new?to={member.id}", data={"body": "Hello"})
    tell(app, member.id, "opportunity-interest", "Someone is interested")
    client = login(app.test_client(), member)
    client.get("/notifications/")
    with count_queries() as queries:
        html = page_text(client.get("/notifications/"))
    assert re.search(r'id="unread-messages">1<', html)
    assert re.search(r'Notifications <span class="badge[^>]*>2<', html)
    badge_queries = [q for q in queries if "notification" in q and "message" in q and "conversation" in q]
    assert len(badge_queries) == 1


def test_the_old_single_mail_setting_is_carried_over_to_every_group(tmp_path):
    uri = f"sqlite:///{tmp_path / 'carry.db'}"
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        flask_migrate.upgrade(revision="0006_matching")
        # Rows written at an old schema, before the cache's versions exist: unwatched, as migrations are.
        db.session.connection(execution_options={UNWATCHED: True})
        for n, mode in enumerate(["immediate", "daily", "off"], start=1):
            db.session.execute(text(
                "INSERT INTO user (id, email, name, password_hash, role, status, session_version, created_at, "
                "updated_at) VALUES (:id, :email, 'Dr. X', 'x', 'fellow', 'verified', 1, '2026-01-01', "
                "'2026-01-01')"), {"id": n, "email": f"m{n}@example.org"})
            db.session.execute(text("INSERT INTO notification_setting (user_id, email_mode) VALUES (:id, :mode)"),
                               {"id": n, "mode": mode})
        db.session.commit()
        flask_migrate.upgrade(revision="0007_messaging")
        rows = db.session.execute(select(NotificationPreference.user_id, NotificationPreference.delivery,
                                         func.count()).group_by(NotificationPreference.user_id,
                                                                NotificationPreference.delivery)).all()
        db.engine.dispose()
    # (the groups of that time: a group added later, like accepted answers or co-authorship, starts from its default)
    then = len([group for group in GROUPS if group.key not in ("discussion-answer", "scholarly")])
    assert sorted(rows) == [(2, Delivery.DAILY, then), (3, Delivery.IN_APP, then)]


def test_the_centre_lists_every_kind_and_can_show_unread_only(app, make_user, login):
    member = make_user()
    for kind in ("mentorship-accepted", "discussion-mention", "opportunity-interest", "cohort-invitation",
                 "matching-results", "reminder-meeting"):
        tell(app, member.id, kind, f"About {kind}")
    client = login(app.test_client(), member)
    page = client.get("/notifications/")
    assert page.status_code == 200 and check_page(page.data) == []
    for label in ("Mentoring", "Mentions", "Opportunities", "Cohort", "Matching rounds", "Reminders"):
        assert label in page_text(page)
    with app.app_context():
        first = db.session.scalar(select(Notification.id).where(Notification.user_id == member.id)
                                  .order_by(Notification.id))
    assert client.post(f"/notifications/{first}/open").headers["Location"] == "/notifications/"
    unread = page_text(client.get("/notifications/?unread=1"))
    assert "About reminder-meeting" in unread and "About mentorship-accepted" not in unread
    client.post("/notifications/read-all")
    assert "Nothing unread." in page_text(client.get("/notifications/?unread=1"))
