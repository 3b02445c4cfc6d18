"""Destructive actions ask first (issue #18, item 7): a POST without ``confirm=yes`` changes nothing and
answers with a confirmation page saying what will happen; the confirmed POST does it. Where the data allows,
a short undo follows (a removed post for 10 minutes, a deactivated member by reactivation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from network.cohorts.models import Invitation, InvitationStatus
from network.discussions.models import Category, CategoryVisibility, Flag, Post
from network.discussions.services import categories, posting
from network.extensions import db
from network.members.models import MemberStatus, User
from network.mentorship.models import Meeting, Mentorship, MentorshipRequest, MentorshipStatus, RequestStatus
from network.messages.models import Message, MessageReport
from network.notifications.models import Notification
from network.opportunities.models import Opportunity, OpportunityStatus
from network.opportunities.queries.member import preference
from network.opportunities.services.preferences import new_feed_token
from network.programs.models import ProgramStaff
from network.types import utcnow
from tests.html_checks import check_page
from tests.opportunities.test_posting import valid_form
from tests.test_invitations import invite
from tests.test_mentorship import ask, mentor_with_settings, request_of
from tests.test_programs import make_program


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


@dataclass
class Case:
    client: object
    url: str
    data: dict
    done: Callable[[], bool]  # has the action happened?
    asks: str  # words of the confirmation page


def _mentorship(app, make_user, login):
    fellow = make_user(role="fellow", name="Dr. Fellow Member")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Mentor Member")
    ask(app, login, fellow, mentor)
    return fellow, mentor, request_of(app, fellow, mentor)


def _status(app, model, key, attribute="status"):
    def read():
        with app.app_context():
            return getattr(db.session.get(model, key), attribute)
    return read


def end_mentorship(app, make_user, login):
    fellow, mentor, request = _mentorship(app, make_user, login)
    login(app.test_client(), mentor).post(f"/mentorship/requests/{request.id}/accept")
    mentorship_id = request_of(app, fellow, mentor).mentorship_id
    status = _status(app, Mentorship, mentorship_id)
    return Case(login(app.test_client(), fellow), f"/mentorship/{mentorship_id}/end",
                {"end-outcome": "ended", "end-rating": "4", "end-comment": "Thanks\nfor all"},
                lambda: status() == MentorshipStatus.ENDED, "End your mentorship with Dr. Mentor Member?")


def delete_meeting(app, make_user, login):
    fellow, mentor, request = _mentorship(app, make_user, login)
    login(app.test_client(), mentor).post(f"/mentorship/requests/{request.id}/accept")
    mentorship_id = request_of(app, fellow, mentor).mentorship_id
    fellow_client = login(app.test_client(), fellow)
    met_on = date.today() - timedelta(days=3)
    fellow_client.post(f"/mentorship/{mentorship_id}/meetings", data={
        "meeting-met_on": met_on.isoformat(), "meeting-minutes": "30", "meeting-mode": "video"})
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.mentorship_id == mentorship_id))

    def done():
        with app.app_context():
            return db.session.get(Meeting, meeting_id) is None
    return Case(fellow_client, f"/mentorship/{mentorship_id}/meetings/{meeting_id}/delete", {}, done,
                f"Delete the meeting of {met_on:%d %B %Y}?")


def decline_request(app, make_user, login):
    _, mentor, request = _mentorship(app, make_user, login)
    status = _status(app, MentorshipRequest, request.id)
    return Case(login(app.test_client(), mentor), f"/mentorship/requests/{request.id}/decline",
                {"reason": "at_capacity", "note": "Full this year"}, lambda: status() == RequestStatus.DECLINED,
                "Decline Dr. Fellow Member&#39;s request?")


def withdraw_request(app, make_user, login):
    fellow, _, request = _mentorship(app, make_user, login)
    status = _status(app, MentorshipRequest, request.id)
    return Case(login(app.test_client(), fellow), f"/mentorship/requests/{request.id}/withdraw", {},
                lambda: status() == RequestStatus.WITHDRAWN, "Withdraw your request to Dr. Mentor Member?")


def deactivate_member(app, make_user, login):
    member = make_user(role="alumni", name="Dr. Leaving Soon")
    status = _status(app, User, member.id)
    return Case(login(app.test_client(), make_user(role="admin")), f"/admin/members/{member.id}/deactivate",
                {"back": "/admin/members"}, lambda: status() != MemberStatus.VERIFIED, "Deactivate Dr. Leaving Soon?")


def remove_staff(app, make_user, login):
    setup = make_program(app, make_user, slug="staffed")
    with app.app_context():
        staff_id = db.session.scalar(select(ProgramStaff.id).where(ProgramStaff.user_id == setup["director"].id))

    def done():
        with app.app_context():
            return db.session.get(ProgramStaff, staff_id) is None
    return Case(login(app.test_client(), make_user(role="admin")),
                f"/admin/programs/{setup['program']}/staff/{staff_id}/remove", {}, done,
                "Remove Dr. Director staffed from the staff of Program staffed?")


def revoke_invitation(app, make_user, login):
    setup = make_program(app, make_user, slug="inviting")
    invite(app, login, setup, "new.fellow@example.org")
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    status = _status(app, Invitation, invitation_id)
    return Case(login(app.test_client(), setup["director"]),
                f"/cohorts/{setup['cohort']}/invitations/{invitation_id}/revoke", {},
                lambda: status() == InvitationStatus.REVOKED, "Revoke the invitation to new.fellow@example.org?")


def _post(app, make_user, title="About nerve blocks"):
    author = make_user(role="alumni", name="Dr. Post Author")
    with app.test_request_context():
        category = categories.save_category(None, None, name="Clinic", description="For tests.",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        thread, _ = posting.start_thread(db.session.get(User, author.id), category, title, "Opening words.")
        reply = posting.reply(db.session.get(User, author.id), thread, "A reply about zygapophyseal joints.")
        db.session.commit()
        return author, thread.id, reply.id


def _removed(app, post_id):
    def done():
        with app.app_context():
            return db.session.get(Post, post_id).removed_at is not None
    return done


def delete_own_post(app, make_user, login):
    author, _, post_id = _post(app, make_user)
    return Case(login(app.test_client(), author), f"/discussions/p/{post_id}/remove", {}, _removed(app, post_id),
                "Delete your post?")


def moderator_removes_post(app, make_user, login):
    _, _, post_id = _post(app, make_user)
    return Case(login(app.test_client(), make_user(role="admin")), f"/discussions/p/{post_id}/remove",
                {"reason": "Off topic"}, _removed(app, post_id), "Remove Dr. Post Author&#39;s post?")


def moderator_removes_flagged_post(app, make_user, login):
    _, _, post_id = _post(app, make_user)
    with app.app_context():
        flag = Flag(post_id=post_id, reporter_id=make_user().id, reason="Rude")
        db.session.add(flag)
        db.session.commit()
        flag_id = flag.id
    return Case(login(app.test_client(), make_user(role="admin")), f"/discussions/moderation/flags/{flag_id}",
                {"action": "remove", "reason": "Rude indeed"}, _removed(app, post_id),
                "Remove Dr. Post Author&#39;s post?")


def remove_reported_message(app, make_user, login):
    sender, receiver = make_user(name="Dr. Spammy"), make_user(name="Dr. Careful")
    receiver_client = login(app.test_client(), receiver)
    login(app.test_client(), sender).post(f"/messages/new?to={receiver.id}", data={"body": "Buy my course"})
    with app.app_context():
        message_id = db.session.scalar(select(Message.id))
    receiver_client.post(f"/messages/m/{message_id}/report", data={"reason": "Advertising"})
    with app.app_context():
        report_id = db.session.scalar(select(MessageReport.id))
    removed = _status(app, Message, message_id, "removed_at")
    return Case(login(app.test_client(), make_user(role="admin")), f"/messages/reports/{report_id}/resolve",
                {"action": "remove"}, lambda: removed() is not None, "Remove Dr. Spammy&#39;s message?")


def delete_category(app, make_user, login):
    with app.app_context():
        category = categories.save_category(None, None, name="Empty corner", description="For tests.",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        db.session.commit()
        category_id = category.id

    def done():
        with app.app_context():
            return db.session.get(Category, category_id) is None
    return Case(login(app.test_client(), make_user(role="admin")), f"/discussions/categories/{category_id}/delete",
                {}, done, "Delete the category “Empty corner”?")


def remove_opportunity(app, make_user, login):
    poster = make_user(role="alumni")
    login(app.test_client(), poster).post("/opportunities/new/job", data=valid_form(app, "job"))
    with app.app_context():
        opportunity_id = db.session.scalar(select(Opportunity.id))
    status = _status(app, Opportunity, opportunity_id)
    return Case(login(app.test_client(), make_user(role="admin")), f"/opportunities/{opportunity_id}/remove",
                {"reason": "Spam"}, lambda: status() == OpportunityStatus.REMOVED, "Remove “A job”?")


def turn_feed_off(app, make_user, login):
    member = make_user(role="fellow")
    with app.app_context():
        new_feed_token(member.id)
        db.session.commit()

    def done():
        with app.app_context():
            return preference(member.id).feed_token is None
    return Case(login(app.test_client(), member), "/opportunities/calendar/feed/revoke", {}, done,
                "Turn your calendar feed off?")


DESTRUCTIVE = [end_mentorship, delete_meeting, decline_request, withdraw_request, deactivate_member, remove_staff,
               revoke_invitation,
               delete_own_post, moderator_removes_post, moderator_removes_flagged_post, remove_reported_message,
               delete_category, remove_opportunity, turn_feed_off]


@pytest.mark.parametrize("action", DESTRUCTIVE, ids=lambda action: action.__name__)
def test_a_destructive_action_asks_first_and_acts_once_confirmed(app, make_user, login, action):
    case = action(app, make_user, login)
    asked = case.client.post(case.url, data=case.data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and case.asks in page, page
    assert not case.done()
    assert check_page(asked.data) == []
    # The confirmation carries the member's choices over and has a Cancel link back.
    form = page[page.index('<form method="post" action="' + case.url):]
    form = form[:form.index("</form>")]
    assert 'name="confirm" value="yes"' in form and ">Cancel</a>" in form
    for name, value in case.data.items():
        assert f'name="{name}" value="{value}"' in form
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form, re.DOTALL))
    carried.pop("csrf_token", None)
    done = case.client.post(case.url, data=carried)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert case.done()


def test_ending_a_mentorship_asks_how_it_ended_with_nothing_chosen(app, make_user, login):
    case = end_mentorship(app, make_user, login)
    page = case.client.get(case.url.removesuffix("/end")).get_data(as_text=True)
    form = page[page.index('<details class="end-mentorship"'):]
    form = form[:form.index("</details>")]
    assert " checked" not in form  # neither outcome nor rating chosen for the member
    missing = case.client.post(case.url, data={"end-rating": "4", "confirm": "yes"})
    assert missing.status_code == 400 and "Choose how the mentorship ended." in missing.get_data(as_text=True)
    assert '<details class="end-mentorship" open>' in missing.get_data(as_text=True)
    assert not case.done()


def test_declining_chooses_no_reason_for_the_mentor(app, make_user, login):
    case = decline_request(app, make_user, login)
    page = case.client.get("/mentorship/requests").get_data(as_text=True)
    select_ = page[page.index('name="reason"'):]
    select_ = select_[:select_.index("</select>")]
    assert " selected" not in select_ and "Choose a reason…" in select_
    missing = case.client.post(case.url, data={"reason": "", "confirm": "yes"})
    assert missing.status_code == 400 and "Choose a reason for declining." in missing.get_data(as_text=True)
    assert not case.done()


def _undo_url(response) -> str:
    match = re.search(r'<form method="post" action="([^"]+)" class="d-inline"><input type="hidden" '
                      r'name="csrf_token" value="[^"]*"><button type="submit" class="btn btn-sm btn-outline-dark">'
                      r'Undo</button>', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


@pytest.mark.parametrize("action", [delete_own_post, moderator_removes_post, moderator_removes_flagged_post],
                         ids=lambda a: a.__name__)
def test_a_removed_post_can_be_undone_for_ten_minutes_by_who_removed_it(app, make_user, login, action):
    case = action(app, make_user, login)
    with app.app_context():
        post_id = db.session.scalar(select(func.max(Post.id)))
        if not db.session.scalar(select(func.count()).select_from(Flag)):
            db.session.add(Flag(post_id=post_id, reporter_id=make_user().id, reason="Rude"))
            db.session.commit()
    removed = case.client.post(case.url, data={**case.data, "confirm": "yes"}, follow_redirects=True)
    undo = _undo_url(removed)
    assert undo == f"/discussions/p/{post_id}/restore" and "undo this for 10 minutes" in removed.get_data(as_text=True)
    assert case.done()
    # Nobody else undoes it: not another member, not another moderator.
    for other in (make_user(role="alumni"), make_user(role="admin")):
        assert login(app.test_client(), other).post(undo).status_code == 403
    assert case.done()
    back = case.client.post(undo, follow_redirects=True)
    assert back.status_code == 200 and "The post is back." in back.get_data(as_text=True)
    assert "zygapophyseal" in back.get_data(as_text=True)
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post.removed_at is None and post.removed_by_id is None
        assert db.session.scalar(select(Flag.resolved_at).where(Flag.post_id == post_id)) is None
        # The author's "a moderator removed your post" notification went with the removal.
        assert not db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == post.author_id, Notification.kind == "discussion-review"))
    assert "Nothing matches" not in case.client.get("/discussions/search?q=zygapophyseal").get_data(as_text=True)
    # After the window it stays removed, and says why.
    case.client.post(case.url, data={**case.data, "confirm": "yes"})
    with app.app_context():
        db.session.execute(update(Post).where(Post.id == post_id)
                           .values(removed_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    late = case.client.post(undo)
    assert late.status_code == 409
    assert "too late to undo" in case.client.get("/").get_data(as_text=True)
    assert case.done()


def test_a_deactivated_member_can_be_reactivated_from_the_message(app, make_user, login):
    case = deactivate_member(app, make_user, login)
    done = case.client.post(case.url, data={**case.data, "confirm": "yes"}, follow_redirects=True)
    undo = _undo_url(done)
    assert case.done()
    assert login(app.test_client(), make_user(role="faculty")).post(undo).status_code == 403
    assert case.done()
    case.client.post(undo)
    assert not case.done()
