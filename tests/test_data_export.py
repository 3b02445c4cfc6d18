""""Download your data" (issue #18, item 13): a ZIP of data.json and a readable index.html holding every
kind of the member's own data — profile, posts, messages, mentorships with their own private notes,
meetings, bookmarks, RSVPs, notifications and audit entries about them — and nothing private of others."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

from network.audit.models import AuditLog
from network.auth.models import ApiToken
from network.discussions.models import Category, Post, Thread
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity, ProviderKind
from network.mentorship.models import Goal, Meeting, MeetingMode, MentoringType, Mentorship
from network.messages.models import Conversation, Message
from network.notifications.models import Notification
from network.opportunities.models import (
    Bookmark,
    ExpressionOfInterest,
    Opportunity,
    OpportunityKind,
    Rsvp,
    RsvpStatus,
)
from network.programs.models import Cohort, CohortMembership, CohortRole, Program
from network.types import utcnow


def read_export(response) -> tuple[dict, str]:
    """The archive's data.json (parsed) and index.html."""
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        assert sorted(bundle.namelist()) == ["data.json", "index.html"]
        return json.loads(bundle.read("data.json")), bundle.read("index.html").decode()


def _seed_history(app, member, mentor, stranger, admin, extra: int = 1) -> None:
    """Posts, conversations, a mentorship with meetings, opportunities, notifications and audit entries;
    ``extra`` repeats the repeatable kinds (the query count must not grow with it)."""
    with app.app_context():
        now = utcnow()
        program = Program(slug=f"export-{extra}-{member.id}", name=f"Program {extra}", institution="Hospital")
        db.session.add(program)
        db.session.flush()
        for n in range(extra):  # the institutions the member signs in through, and someone else's link
            provider = IdentityProvider(slug=f"inst-{extra}-{member.id}-{n}", kind=ProviderKind.OIDC,
                                        name=f"Institution {n}")
            db.session.add(provider)
            db.session.flush()
            db.session.add_all([LinkedIdentity(user_id=member.id, provider_id=provider.id, subject=f"MY-SUBJECT-{n}",
                                               email=f"me{n}@institution.example"),
                                LinkedIdentity(user_id=stranger.id, provider_id=provider.id,
                                               subject=f"NOT-YOUR-SUBJECT-{n}")])
            # Their API tokens (listed, the hash never), and someone else's.
            db.session.add_all([ApiToken(user_id=member.id, name=f"MY-TOKEN-{n}",
                                         token_hash=f"MY-HASH-{member.id}-{n:050d}", scopes="read write",
                                         expires_at=utcnow() + timedelta(days=30)),
                                ApiToken(user_id=stranger.id, name=f"NOT-YOUR-TOKEN-{n}",
                                         token_hash=f"NOT-YOUR-HASH-{stranger.id}-{n:044d}", scopes="read",
                                         expires_at=utcnow() + timedelta(days=30))])
        for n in range(extra):  # each class names its program: one query, however many classes
            cohort = Cohort(program_id=program.id, name=f"Class {n}", start_date=date(2026, 7, 1),
                            end_date=date(2027, 6, 30))
            db.session.add(cohort)
            db.session.flush()
            db.session.add(CohortMembership(cohort_id=cohort.id, user_id=member.id, role=CohortRole.FELLOW))
        category = Category(slug=f"open-{extra}-{member.id}", name="Open talk")
        db.session.add(category)
        db.session.flush()
        for n in range(extra):
            thread = Thread(category_id=category.id, author_id=member.id, title=f"Ultrasound blocks {n}",
                            created_at=now, last_post_at=now)
            db.session.add(thread)
            db.session.flush()
            db.session.add(Post(thread_id=thread.id, author_id=member.id, body=f"MY-POST-BODY {n}",
                                body_html="<p>x</p>", created_at=now))
        talk = Conversation(low_member_id=min(member.id, mentor.id), high_member_id=max(member.id, mentor.id))
        theirs = Conversation(low_member_id=min(mentor.id, stranger.id), high_member_id=max(mentor.id, stranger.id))
        db.session.add_all([talk, theirs])
        db.session.flush()
        for n in range(extra):
            db.session.add(Message(conversation_id=talk.id, sender_id=member.id, body=f"MY-MESSAGE {n}",
                                   created_at=now - timedelta(minutes=10 - n)))
            db.session.add(Message(conversation_id=talk.id, sender_id=mentor.id, body=f"MENTOR-REPLY {n}",
                                   created_at=now - timedelta(minutes=5 - n)))
        db.session.add(Message(conversation_id=talk.id, sender_id=mentor.id, body="REMOVED-BY-MODERATOR",
                               removed_at=now))
        db.session.add(Message(conversation_id=theirs.id, sender_id=stranger.id, body="NOT-YOUR-CONVERSATION"))
        mentorship = Mentorship(mentee_id=member.id, mentor_id=mentor.id, type=MentoringType.CLINICAL)
        db.session.add(mentorship)
        db.session.flush()
        db.session.add(Goal(mentorship_id=mentorship.id, title="Shadow three SCS trials"))
        for n in range(extra):
            db.session.add(Meeting(mentorship_id=mentorship.id, author_id=member.id, met_on=date(2026, 9, 1),
                                   minutes=30, mode=MeetingMode.VIDEO, notes=f"MY-PRIVATE-NOTE {n}",
                                   notes_private=True))
        db.session.add(Meeting(mentorship_id=mentorship.id, author_id=mentor.id, met_on=date(2026, 9, 2),
                               minutes=30, mode=MeetingMode.PHONE, notes="MENTOR-PRIVATE-NOTE", notes_private=True))
        db.session.add(Meeting(mentorship_id=mentorship.id, author_id=mentor.id, met_on=date(2026, 9, 3),
                               minutes=30, mode=MeetingMode.PHONE, notes="MENTOR-SHARED-NOTE"))
        for n in range(extra):
            opportunity = Opportunity(kind=OpportunityKind.WORKSHOP, poster_id=mentor.id, title=f"Cadaver lab {n}")
            db.session.add(opportunity)
            db.session.flush()
            db.session.add_all([Bookmark(user_id=member.id, opportunity_id=opportunity.id),
                                Rsvp(user_id=member.id, opportunity_id=opportunity.id, status=RsvpStatus.GOING),
                                ExpressionOfInterest(user_id=member.id, opportunity_id=opportunity.id,
                                                     note="MY-INTEREST-NOTE")])
            db.session.add(Notification(user_id=member.id, kind="message-new", title=f"MY-NOTIFICATION {n}",
                                        link=f"/messages/{talk.id}"))
        db.session.add(Notification(user_id=stranger.id, kind="message-new", title="NOT-YOUR-NOTIFICATION",
                                    link="/messages/"))
        db.session.add(AuditLog(actor_id=member.id, action="member.profile-edit", target_type="user",
                                target_id=member.id, details={}, ip="198.51.100.7"))
        db.session.add(AuditLog(actor_id=admin.id, action="member.verify", target_type="user", target_id=member.id,
                                details={"note": "checked the program letter"}, ip="203.0.113.99"))
        db.session.add(AuditLog(actor_id=admin.id, action="member.verify", target_type="user",
                                target_id=stranger.id, details={"note": "NOT-ABOUT-YOU"}, ip="203.0.113.98"))
        db.session.commit()


def _people(make_user):
    return (make_user(name="Dr. Exporting Member"), make_user(role="faculty", name="Dr. The Mentor"),
            make_user(name="Dr. Someone Else"), make_user(role="admin", name="Admin Person"))


def test_the_export_holds_every_kind_of_my_data_and_nothing_private_of_others(app, make_user, login):
    member, mentor, stranger, admin = _people(make_user)
    _seed_history(app, member, mentor, stranger, admin)
    response = login(app.test_client(), member).get("/members/me/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    assert 'filename="fellowship-network-my-data.zip"' in response.headers["Content-Disposition"]
    data, page = read_export(response)
    assert data["account"]["email"] == member.email
    assert [p["body"] for p in data["posts"]] == ["MY-POST-BODY 0"]
    assert data["posts"][0]["thread"] == "Ultrasound blocks 0"
    [conversation] = data["conversations"]
    assert conversation["with"] == "Dr. The Mentor"
    bodies = [m["body"] for m in conversation["messages"]]
    assert bodies == ["MY-MESSAGE 0", "MENTOR-REPLY 0", None]  # the removed one as removed, without its words
    assert conversation["messages"][-1]["removed_by_a_moderator"] is True
    [mentorship] = data["mentorships"]
    assert mentorship["with"] == "Dr. The Mentor" and mentorship["your_role"] == "mentee"
    assert mentorship["goals"][0]["title"] == "Shadow three SCS trials"
    notes = [m["notes"] for m in mentorship["meetings"]]
    assert notes == ["MY-PRIVATE-NOTE 0", None, "MENTOR-SHARED-NOTE"]
    assert data["bookmarks"][0]["opportunity"] == "Cadaver lab 0"
    assert data["rsvps"][0]["answer"] == "going"
    assert data["interests_expressed"][0]["note"] == "MY-INTEREST-NOTE"
    assert [n["title"] for n in data["notifications"]] == ["MY-NOTIFICATION 0"]
    [identity] = data["institutional_sign_in"]
    assert identity["institution"] == "Institution 0" and identity["id_at_institution"] == "MY-SUBJECT-0"
    assert identity["email"] == "me0@institution.example"
    [token] = data["api_tokens"]
    assert token["name"] == "MY-TOKEN-0" and token["scopes"] == ["read", "write"] and token["revoked_at"] is None
    audit = {(entry["action"], entry["by"]): entry for entry in data["audit_log"]}
    assert audit[("member.profile-edit", "you")]["address"] == "198.51.100.7"
    verified = audit[("member.verify", "Admin Person")]
    assert verified["address"] is None and verified["details"] == {"note": "checked the program letter"}
    raw = json.dumps(data) + page
    for secret in ("NOT-YOUR-SUBJECT", "NOT-YOUR-TOKEN", "MY-HASH", "NOT-YOUR-HASH",
                   "MENTOR-PRIVATE-NOTE", "REMOVED-BY-MODERATOR", "NOT-YOUR-CONVERSATION", "NOT-YOUR-NOTIFICATION",
                   "NOT-ABOUT-YOU", "203.0.113.99", "203.0.113.98", stranger.email, mentor.email):
        assert secret not in raw, secret
    # The readable page shows the same data, escaped.
    for shown in ("MY-POST-BODY 0", "MY-MESSAGE 0", "MY-PRIVATE-NOTE 0", "Cadaver lab 0", "MY-NOTIFICATION 0"):
        assert shown in page
    assert '<html lang="en">' in page


def test_another_member_downloads_only_their_own_data(app, make_user, login):
    member, mentor, stranger, admin = _people(make_user)
    _seed_history(app, member, mentor, stranger, admin)
    data, page = read_export(login(app.test_client(), stranger).get("/members/me/export"))
    assert data["account"]["email"] == stranger.email
    assert data["posts"] == [] and data["mentorships"] == [] and data["bookmarks"] == []
    assert "MY-POST-BODY" not in page and "MY-PRIVATE-NOTE" not in json.dumps(data)
    # The mentor sees the shared conversation and their own notes, never the mentee's private ones.
    data, _page = read_export(login(app.test_client(), mentor).get("/members/me/export"))
    notes = [m["notes"] for m in data["mentorships"][0]["meetings"]]
    assert notes == [None, "MENTOR-PRIVATE-NOTE", "MENTOR-SHARED-NOTE"]


def test_a_visitor_cannot_download_anyones_data(app):
    response = app.test_client().get("/members/me/export")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_export_runs_a_bounded_number_of_queries(app, make_user, login, count_queries):
    queries = []
    for extra in (1, 8):
        member, mentor, stranger, admin = _people(make_user)
        _seed_history(app, member, mentor, stranger, admin, extra=extra)
        client = login(app.test_client(), member)
        client.get("/members/me/export")  # the session's first request loads its own things once
        with count_queries() as statements:
            data, _page = read_export(client.get("/members/me/export"))
        assert len(data["posts"]) == extra and len(data["bookmarks"]) == extra
        assert len(data["conversations"][0]["messages"]) == 2 * extra + 1 and len(data["cohorts"]) == extra
        queries.append(len(statements))
    # one query per kind of data (scholarly items take three: the items, their authors, the co-authorships)
    assert queries[0] == queries[1] <= 24, queries
