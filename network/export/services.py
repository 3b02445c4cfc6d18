"""Everything the network keeps about one member, as plain data and as a ZIP (GDPR article 20 style).

This module sits above the feature areas (like the admin wing): it reads each area's tables and no area
imports it. Each kind is one query, whatever the member's history holds, and only what the member may see
goes in: the other person's private meeting notes, messages removed by a moderator and other members'
addresses (IP) in the audit log stay out.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

from flask import render_template
from sqlalchemy import case, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from network.audit.models import AuditLog
from network.auth.models import ApiToken
from network.discussions.models import Draft, Post, Reaction, Thread
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity
from network.members.models import User
from network.mentorship.models import Meeting, Mentorship, MentorshipRequest
from network.messages.models import Conversation, Message
from network.notifications.models import Notification
from network.opportunities.models import Bookmark, ExpressionOfInterest, Opportunity, Rsvp
from network.permissions import can_read_meeting_notes, can_view_thread
from network.profiles.services import export_data
from network.scholarly.models import ScholarlyAuthor, ScholarlyItem
from network.types import utcnow
from network.urls import absolute, public_url

#: The archive's file names: the machine-readable data and a page a person can read.
DATA_FILE = "data.json"
PAGE_FILE = "index.html"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def member_data(user: User) -> dict:
    """The member's data, every kind under its own key (the profile part is the account page's export)."""
    data = {"exported_at": _when(utcnow()), **export_data(user)}
    data["posts"] = _posts(user)
    data["drafts"] = _drafts(user)
    data["helpful_marks"] = _helpful_marks(user)
    data["conversations"] = _conversations(user)
    data["mentorships"] = _mentorships(user)
    data["mentorship_requests"] = _requests(user)
    data["bookmarks"], data["rsvps"], data["interests_expressed"] = _opportunities(user)
    data["notifications"] = _notifications(user)
    data["scholarly_items"], data["co_authorships"] = _scholarly(user)
    data["institutional_sign_in"] = _identities(user)
    data["api_tokens"] = _api_tokens(user)
    data["audit_log"] = _audit(user)
    return data


def archive(user: User) -> bytes:
    """A ZIP of ``data.json`` and ``index.html`` (the same data, readable in a browser)."""
    data = member_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(DATA_FILE, json.dumps(data, indent=2, ensure_ascii=False))
        bundle.writestr(PAGE_FILE, render_template("export/index.html", data=data))
    return buffer.getvalue()


def _posts(user: User) -> list[dict]:
    """The member's own posts, oldest first; a thread's title only while they may still see the thread."""
    posts = _with_threads(Post, Post.author_id == user.id, Post.created_at, Post.id)
    return [{**_thread_named(user, post.thread, "discussions.show_post", post_id=post.id),
             "written_at": _when(post.created_at), "edited_at": _when(post.edited_at),
             "removed_at": _when(post.removed_at), "awaiting_review": post.held, "body": post.body}
            for post in posts]


def _with_threads(model, own, *order) -> list:
    """The member's rows of ``model`` (posts, drafts: ``own`` says which), with their threads and categories."""
    return db.session.scalars(select(model).join(Thread, Thread.id == model.thread_id).where(own)
                              .options(joinedload(model.thread).joinedload(Thread.category)).order_by(*order)).all()


def _thread_named(user: User, thread: Thread, endpoint: str, **args) -> dict:
    """A post's or draft's thread: its title and a link while the member may still see it, else neither."""
    visible = can_view_thread(user, thread)
    return {"thread": thread.title if visible else None, "link": public_url(endpoint, **args) if visible else None}


def _drafts(user: User) -> list[dict]:
    """The replies the member started and has not posted, a thread's title only while they may see it."""
    drafts = _with_threads(Draft, Draft.user_id == user.id, Draft.updated_at, Draft.thread_id)
    return [{**_thread_named(user, draft.thread, "discussions.thread", thread_id=draft.thread_id),
             "saved_at": _when(draft.updated_at), "body": draft.body} for draft in drafts]


def _helpful_marks(user: User) -> list[dict]:
    """The posts the member marked helpful, oldest mark first; which post only while they may see its thread."""
    marks = db.session.execute(
        select(Reaction.created_at, Post).join(Post, Post.id == Reaction.post_id).where(Reaction.user_id == user.id)
        .options(joinedload(Post.thread).joinedload(Thread.category))
        .order_by(Reaction.created_at, Reaction.post_id)).all()
    rows = []
    for marked_at, post in marks:
        visible = can_view_thread(user, post.thread)
        rows.append({"thread": post.thread.title if visible else None,
                     "link": public_url("discussions.show_post", post_id=post.id) if visible else None,
                     "marked_at": _when(marked_at)})
    return rows


def _conversations(user: User) -> list[dict]:
    """The conversations the member is in, with the messages they see (a removed one as removed)."""
    other = aliased(User)
    conversations = db.session.execute(
        select(Conversation.id, other.name)
        .join(other, other.id == case((Conversation.low_member_id == user.id, Conversation.high_member_id),
                                         else_=Conversation.low_member_id))
        .where(or_(Conversation.low_member_id == user.id, Conversation.high_member_id == user.id))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())).all()
    ids = [conversation_id for conversation_id, _name in conversations]
    messages: dict[int, list[dict]] = {conversation_id: [] for conversation_id in ids}
    if ids:
        for message in db.session.scalars(select(Message).where(Message.conversation_id.in_(ids))
                                          .order_by(Message.created_at, Message.id)):
            messages[message.conversation_id].append({
                "from": "you" if message.sender_id == user.id else "them",
                "sent_at": _when(message.created_at),
                "removed_by_a_moderator": message.removed_at is not None,
                "body": None if message.removed_at else message.body,
            })
    return [{"with": name, "link": public_url("messages.show", conversation_id=conversation_id),
             "messages": messages[conversation_id]} for conversation_id, name in conversations]


def _mentorships(user: User) -> list[dict]:
    """Every mentorship as mentee or mentor, with goals and meetings; private meeting notes only the
    member's own."""
    mentorships = db.session.scalars(
        select(Mentorship).where(or_(Mentorship.mentee_id == user.id, Mentorship.mentor_id == user.id))
        .options(joinedload(Mentorship.mentee), joinedload(Mentorship.mentor), selectinload(Mentorship.goals))
        .order_by(Mentorship.started_at, Mentorship.id)).all()
    meetings: dict[int, list[Meeting]] = {m.id: [] for m in mentorships}
    if meetings:
        for meeting in db.session.scalars(select(Meeting).where(Meeting.mentorship_id.in_(list(meetings)))
                                          .order_by(Meeting.met_on, Meeting.id)):
            meetings[meeting.mentorship_id].append(meeting)
    rows = []
    for mentorship in mentorships:
        mentee = mentorship.mentee_id == user.id
        rows.append({
            "your_role": "mentee" if mentee else "mentor",
            "with": (mentorship.mentor if mentee else mentorship.mentee).name,
            "type": mentorship.type.value, "status": mentorship.status.value,
            "started_at": _when(mentorship.started_at), "ended_at": _when(mentorship.ended_at),
            "cadence_days": mentorship.cadence_days, "length_months": mentorship.length_months,
            "expectations": mentorship.expectations, "last_met_on": _when(mentorship.last_met_on),
            "rating": mentorship.rating, "closing_comment": mentorship.closing_comment,
            "goals": [{"title": goal.title, "due_on": _when(goal.due_on), "done_at": _when(goal.done_at)}
                      for goal in mentorship.goals],
            "meetings": [_meeting(meeting, user) for meeting in meetings[mentorship.id]],
        })
    return rows


def _meeting(meeting: Meeting, user: User) -> dict:
    mine = meeting.author_id == user.id
    row = {"met_on": _when(meeting.met_on), "minutes": meeting.minutes, "mode": meeting.mode.value,
           "topics": meeting.topics, "logged_by": "you" if mine else "them", "notes_private": meeting.notes_private}
    row["notes"] = meeting.notes if can_read_meeting_notes(user, meeting) else None
    return row


def _requests(user: User) -> list[dict]:
    """Mentorship requests the member sent or received."""
    requests = db.session.scalars(
        select(MentorshipRequest)
        .where(or_(MentorshipRequest.mentee_id == user.id, MentorshipRequest.mentor_id == user.id))
        .options(joinedload(MentorshipRequest.mentee), joinedload(MentorshipRequest.mentor))
        .order_by(MentorshipRequest.created_at, MentorshipRequest.id)).all()
    rows = []
    for entry in requests:
        sent = entry.mentee_id == user.id
        rows.append({"direction": "sent" if sent else "received",
                     "with": (entry.mentor if sent else entry.mentee).name, "type": entry.type.value,
                     "status": entry.status.value, "message": entry.message, "response_note": entry.response_note,
                     "decline_reason": entry.decline_reason.value if entry.decline_reason else None,
                     "created_at": _when(entry.created_at), "responded_at": _when(entry.responded_at)})
    return rows


def _opportunity(opportunity: Opportunity) -> dict:
    removed = opportunity.removed_at is not None
    return {"opportunity": None if removed else opportunity.title,
            "link": None if removed else public_url("opportunities.show", opportunity_id=opportunity.id)}


def _opportunities(user: User) -> tuple[list[dict], list[dict], list[dict]]:
    """Bookmarks, RSVPs and expressions of interest: one query each."""
    bookmarks = db.session.execute(
        select(Bookmark, Opportunity).join(Opportunity, Opportunity.id == Bookmark.opportunity_id)
        .where(Bookmark.user_id == user.id).order_by(Bookmark.created_at, Bookmark.id)).all()
    rsvps = db.session.execute(
        select(Rsvp, Opportunity).join(Opportunity, Opportunity.id == Rsvp.opportunity_id)
        .where(Rsvp.user_id == user.id).order_by(Rsvp.responded_at, Rsvp.id)).all()
    interests = db.session.execute(
        select(ExpressionOfInterest, Opportunity)
        .join(Opportunity, Opportunity.id == ExpressionOfInterest.opportunity_id)
        .where(ExpressionOfInterest.user_id == user.id)
        .order_by(ExpressionOfInterest.created_at, ExpressionOfInterest.id)).all()
    return ([{**_opportunity(o), "saved_at": _when(b.created_at)} for b, o in bookmarks],
            [{**_opportunity(o), "answer": r.status.value, "answered_at": _when(r.responded_at)} for r, o in rsvps],
            [{**_opportunity(o), "note": e.note, "sent_at": _when(e.created_at)} for e, o in interests])


def _scholarly(user: User) -> tuple[list[dict], list[dict]]:
    """Every item the member added, whoever may see it, with its authors; and the author lines naming them on
    other members' items, with their answer (the title only: the rest is the other member's)."""
    items = db.session.scalars(select(ScholarlyItem).where(ScholarlyItem.owner_id == user.id)
                               .options(selectinload(ScholarlyItem.authors))
                               .order_by(ScholarlyItem.published_on, ScholarlyItem.id)).all()
    lines = db.session.execute(
        select(ScholarlyAuthor.name, ScholarlyAuthor.confirmation, ScholarlyItem.title)
        .join(ScholarlyItem, ScholarlyItem.id == ScholarlyAuthor.item_id)
        .where(ScholarlyAuthor.member_id == user.id, ScholarlyItem.owner_id != user.id)
        .order_by(ScholarlyItem.id)).all()
    return ([{"kind": item.kind.value, "status": item.status.value, "title": item.title, "venue": item.venue,
              "date": _when(item.published_on), "volume": item.volume, "issue": item.issue, "pages": item.pages,
              "doi": item.doi, "pmid": item.pmid, "visibility": item.visibility.value,
              "authors": [line.name for line in item.authors], "added_at": _when(item.created_at)} for item in items],
            [{"title": title, "listed_as": name, "answer": confirmation.value if confirmation else None}
             for name, confirmation, title in lines])


def _notifications(user: User) -> list[dict]:
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.created_at, Notification.id)).all()
    return [{"kind": n.kind, "title": n.title, "link": absolute(n.link) if n.link else None,
             "created_at": _when(n.created_at), "read_at": _when(n.read_at), "emailed_at": _when(n.emailed_at)}
            for n in rows]


def _identities(user: User) -> list[dict]:
    """The institutions the member signs in through: the provider's id for them and the email it gave."""
    rows = db.session.execute(select(LinkedIdentity, IdentityProvider.name).join(LinkedIdentity.provider)
                              .where(LinkedIdentity.user_id == user.id).order_by(LinkedIdentity.id)).all()
    return [{"institution": name, "id_at_institution": identity.subject, "email": identity.email,
             "linked_at": _when(identity.created_at), "last_used_at": _when(identity.last_used_at)}
            for identity, name in rows]


def _api_tokens(user: User) -> list[dict]:
    """The member's personal access tokens as the account page lists them (never the token or its hash)."""
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [{"name": token.name, "scopes": token.scope_list, "created_at": _when(token.created_at),
             "expires_at": _when(token.expires_at), "last_used_at": _when(token.last_used_at),
             "revoked_at": _when(token.revoked_at)} for token in tokens]


def _audit(user: User) -> list[dict]:
    """Audit entries the member made, or made by others about the member's account. The address an entry
    was made from is the member's own only on their own entries: another person's stays out."""
    entries = db.session.execute(
        select(AuditLog, User.name).outerjoin(User, User.id == AuditLog.actor_id)
        .where(or_(AuditLog.actor_id == user.id, (AuditLog.target_type == "user") & (AuditLog.target_id == user.id)))
        .order_by(AuditLog.created_at, AuditLog.id)).all()
    rows = []
    for entry, actor_name in entries:
        mine = entry.actor_id == user.id
        rows.append({"at": _when(entry.created_at), "action": entry.action,
                     "by": "you" if mine else (actor_name or "the system"),
                     "target": f"{entry.target_type} {entry.target_id}" if entry.target_id else entry.target_type,
                     "details": entry.details if mine else _about_you(entry.details),
                     "address": entry.ip if mine else None})
    return rows


def _about_you(details: dict | None) -> dict:
    """An entry someone else made about the member: its details, without anything naming a third person's
    address (the audit log keeps the acting administrator's, which is not the member's to have)."""
    return {key: value for key, value in (details or {}).items() if key not in {"ip", "address", "user_agent"}}
