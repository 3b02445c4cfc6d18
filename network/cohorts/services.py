"""What changes a cohort: invitations sent, resent, revoked and accepted; an administrator placing a member;
graduation and its undo. Services change the session and never commit; what the pages read is in
``network.cohorts.queries``."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app, render_template, url_for
from markupsafe import escape
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import selectinload

from network.audit.models import record
from network.cohorts.models import INVITATION_DAYS, Graduation, Invitation, InvitationStatus
from network.cohorts.queries import (
    existing_emails,
    hash_token,
    latest_graduation,
    live_invitation_emails,
    roster_emails,
)
from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.mail.preview import keep as keep_preview
from network.mail.services import queue_email
from network.members.models import MemberStatus, Role, User, normalize_email
from network.mentorship.models import MentorSettings, Mentorship, MentorshipStatus
from network.mentorship.services import end_mentorship
from network.notifications.models import Notification
from network.notifications.services import forget_unread_counts, notify, notify_members
from network.profiles.models import Profile
from network.profiles.services import profile_of
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.text.lines import single_line
from network.types import utcnow
from network.urls import public_url

log = logging.getLogger(__name__)


class InvitationError(Exception):
    """The invitation cannot be used or changed; the message is for the user."""


# -- tokens ------------------------------------------------------------------------


def new_token() -> tuple[str, str]:
    """A random link token and the SHA-256 that is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def accept_link(token: str) -> str:
    return public_url("cohorts.accept_invitation", token=token)


def _mail_invitation(invitation: Invitation, token: str, cohort: Cohort, inviter_name: str, note: str = "") -> None:
    queue_email("cohort-invitation", invitation.email,
                f"You are invited to {cohort.name}, {cohort.program.name}", "cohort_invitation",
                invitation=invitation, cohort=cohort, program=cohort.program, inviter_name=inviter_name, note=note,
                link=accept_link(token), days=INVITATION_DAYS, member=bool(existing_emails([invitation.email])),
                unsubscribe="")  # a one-off, not a subscription


_NAME = "INVITEDNAMEPLACEHOLDER"
_LINK = "INVITATIONLINKPLACEHOLDER"


def _invitation_bodies(cohort: Cohort, inviter_name: str, role: str, member: bool) -> tuple[str, str]:
    """The mail rendered once, with placeholders for the name and the link (hundreds of mails in one import).

    ``member``: the address has an account, so the mail asks them to sign in and accept."""
    context = {"invitation": SimpleNamespace(name=_NAME, role=role), "cohort": cohort, "program": cohort.program,
               "inviter_name": inviter_name, "link": _LINK, "days": INVITATION_DAYS, "member": member,
               "subject": f"You are invited to {cohort.name}, {cohort.program.name}"}
    return render_template("mail/cohort_invitation.txt", **context), render_template("mail/cohort_invitation.html",
                                                                                      **context)


def _fill(body: str, name: str, link: str, html: bool) -> str:
    shown = str(escape(name)) if html else name
    body = body.replace(" " + _NAME, " " + shown if shown else "").replace(_NAME, shown)
    return body.replace(_LINK, link)


# -- inviting ----------------------------------------------------------------------


def ensure_open(cohort: Cohort) -> None:
    """A graduated class takes no new members: no invitations, imports or placements."""
    if cohort.is_graduated:
        raise InvitationError(f"{cohort.name} graduated on {cohort.graduated_at:%d %b %Y}: it takes no new "
                              "members. Invite them to a current class (or undo the graduation first).")


def invite_many(cohort: Cohort, people: list[dict], actor: User, existing: set[str] | None = None) -> int:
    """Create invitations (already checked) in bulk and queue their mails in the same transaction.

    Existing members are invited like new people and join only when they accept; ``existing`` names their
    addresses when the caller knows them already (else one query finds them). One INSERT for the invitations
    and one for the mails; each mail body is rendered once per role and kind of recipient and filled in per
    person, so a 2,000-row roster stays within seconds."""
    ensure_open(cohort)
    now = utcnow()
    subject = single_line(f"You are invited to {cohort.name}, {cohort.program.name}")
    if existing is None:
        existing = existing_emails(normalize_email(person["email"]) for person in people)
    bodies: dict[tuple[str, bool], tuple[str, str]] = {}
    invitations, mails = [], []
    for person in people:
        token, digest = new_token()
        role = str(CohortRole(person["role"]))
        email, name = normalize_email(person["email"]), person.get("name") or ""
        invitations.append({"cohort_id": cohort.id, "email": email, "name": name, "role": CohortRole(role),
                            "training_background_id": person.get("training_background_id"), "token_hash": digest,
                            "status": InvitationStatus.SENT, "invited_by_id": actor.id, "created_at": now,
                            "sent_at": now, "expires_at": now + timedelta(days=INVITATION_DAYS)})
        kind = (role, email in existing)
        if kind not in bodies:
            bodies[kind] = _invitation_bodies(cohort, actor.name, *kind)
        text, html = bodies[kind]
        link = accept_link(token)
        mails.append({"kind": "cohort-invitation", "recipient": email, "subject": subject,
                      "text_body": _fill(text, name, link, html=False), "html_body": _fill(html, name, link, html=True),
                      "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now})
    if invitations:
        db.session.execute(insert(Invitation), invitations)
        db.session.execute(insert(EmailOutbox), mails)
        for mail in mails:  # development: every invitation in instance/mail/, not only the first
            keep_preview(db.session, mail["kind"], mail["recipient"], subject, mail["text_body"], mail["html_body"])
        if current_app.config["MAIL_ECHO"]:
            log.warning("%d invitation mails queued; the first:\n%s", len(mails), mails[0]["text_body"])
    record(actor.id, "cohort.invite", "cohort", cohort.id, program_id=cohort.program_id, count=len(invitations),
           emails=[i["email"] for i in invitations[:20]])
    return len(invitations)


def invite_new(cohort: Cohort, emails: list[str], role: str, actor: User) -> tuple[list[str], list[str]]:
    """Invite each of ``emails`` (checked, normalised) as ``role`` unless they are in the cohort already or
    hold a valid invitation: (invited, skipped). Nobody joins until they accept (the consent rule)."""
    ensure_open(cohort)
    in_cohort, waiting = roster_emails(cohort), live_invitation_emails(cohort)
    fresh = [address for address in emails if address not in in_cohort and address not in waiting]
    if fresh:
        invite_many(cohort, [{"email": address, "role": role} for address in fresh], actor)
    return fresh, [address for address in emails if address not in fresh]


def resend(invitation: Invitation, actor: User, note: str = "") -> None:
    """A new link valid for another 7 days; the old link stops working. ``note``: the sender's words, checked
    for patient identifiers by the caller."""
    if invitation.status != InvitationStatus.SENT:
        raise InvitationError(f"The invitation to {invitation.email} was {invitation.status}; it cannot be resent.")
    ensure_open(invitation.cohort)
    token, digest = new_token()
    now = utcnow()
    invitation.token_hash, invitation.sent_at = digest, now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    _mail_invitation(invitation, token, invitation.cohort, actor.name, note)
    record(actor.id, "invitation.resend", "invitation", invitation.id, program_id=invitation.cohort.program_id,
           email=invitation.email)


def revoke(invitation: Invitation, actor: User) -> None:
    if invitation.status != InvitationStatus.SENT:
        raise InvitationError(f"The invitation to {invitation.email} was {invitation.status} already.")
    invitation.status = InvitationStatus.REVOKED
    record(actor.id, "invitation.revoke", "invitation", invitation.id, program_id=invitation.cohort.program_id,
           email=invitation.email)


# -- accepting ---------------------------------------------------------------------


def usable_or_error(invitation: Invitation | None) -> Invitation:
    """The invitation if it can still be accepted, else an error that says why."""
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check that you copied the whole link.")
    state = invitation.state()
    if state == InvitationStatus.ACCEPTED:
        raise InvitationError("This invitation was used already. Sign in with the account it created.")
    if state == InvitationStatus.REVOKED:
        raise InvitationError("This invitation was withdrawn by the program. Write to your program coordinator.")
    if state == InvitationStatus.EXPIRED:
        raise InvitationError("This invitation has expired (links are valid for 7 days). "
                              "Ask your program coordinator to send it again.")
    if invitation.cohort.is_graduated:
        raise InvitationError(f"{invitation.cohort.name} has graduated since this invitation was sent, so it "
                              "takes no new members. Write to your program coordinator.")
    return invitation


def _join(invitation: Invitation, user: User) -> None:
    exists = db.session.scalar(select(CohortMembership.id).filter_by(cohort_id=invitation.cohort_id, user_id=user.id))
    if exists is None:
        db.session.add(CohortMembership(cohort_id=invitation.cohort_id, user_id=user.id, role=invitation.role))
    # Conditional: of two simultaneous clicks only one flips the invitation.
    done = db.session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                       Invitation.status == InvitationStatus.SENT)
                              .values(status=InvitationStatus.ACCEPTED, accepted_at=utcnow(), accepted_by_id=user.id)
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise InvitationError("This invitation was used already.")
    db.session.refresh(invitation)
    record(user.id, "invitation.accept", "invitation", invitation.id, program_id=invitation.cohort.program_id)


def register_from_invitation(invitation: Invitation, name: str, password: str) -> User:
    """Create the invited member, verified (the link proved the address), and place them in the cohort."""
    usable_or_error(invitation)
    if db.session.scalar(select(User.id).where(User.email == invitation.email)) is not None:
        raise InvitationError("An account with this email exists already: sign in to accept.")
    now = utcnow()
    role = Role.FACULTY if invitation.role == CohortRole.FACULTY else Role.FELLOW
    user = User(name=name.strip(), email=invitation.email, role=role, status=MemberStatus.VERIFIED,
                email_confirmed_at=now, verified_at=now, verified_by_id=invitation.invited_by_id,
                training_background_id=invitation.training_background_id, last_login_at=now)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    # Findable by name in the directory from the first minute, before they write a profile.
    profile_of(user)
    _join(invitation, user)
    return user


def accept_as_member(invitation: Invitation, user: User) -> None:
    """An existing member joins the cohort; a pending account is verified by the invitation."""
    usable_or_error(invitation)
    if normalize_email(user.email) != invitation.email:
        raise InvitationError(f"This invitation was sent to {invitation.email}; you are signed in as {user.email}.")
    if user.status == MemberStatus.PENDING:
        user.status, user.verified_at = MemberStatus.VERIFIED, utcnow()
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
    _join(invitation, user)


# -- placing (administrators only) ------------------------------------------------


def place_member(cohort: Cohort, member: User, role: CohortRole, actor: User) -> CohortMembership:
    """An administrator puts an existing member in the cohort without an invitation; audited, and the member
    is told. Program staff cannot: everyone else joins only by accepting an invitation."""
    ensure_open(cohort)
    if member.status != MemberStatus.VERIFIED or not member.is_active:
        raise InvitationError(f"{member.email} is not a verified, active member.")
    if db.session.scalar(select(CohortMembership.id).filter_by(cohort_id=cohort.id, user_id=member.id)) is not None:
        raise InvitationError(f"{member.name} is in {cohort.name} already.")
    membership = CohortMembership(cohort_id=cohort.id, user_id=member.id, role=role)
    db.session.add(membership)
    db.session.flush()
    record(actor.id, "cohort.place", "user", member.id, program_id=cohort.program_id, cohort_id=cohort.id,
           role=str(role))
    # Told whatever their notification choices: this changes who can see their connected-only fields
    # and write to them, like an account mail (no unsubscribe link).
    title = f"An administrator placed you in {cohort.name}, {cohort.program.name}"
    notify(member.id, "cohort-added", title, url_for("main.index"), "cohort", cohort.id).emailed_at = utcnow()
    queue_email("cohort-added", member.email, f"You were placed in {cohort.name}", "cohort_added", user=member,
                title=title, link=public_url("main.index"), cohort=cohort, program=cohort.program,
                actor_name=actor.name, role=str(role), unsubscribe="")
    return membership


# -- graduation --------------------------------------------------------------------


@dataclass
class GraduationResult:
    graduation: Graduation
    alumni: list[User]
    completed: int


def graduate(cohort: Cohort, actor: User, complete_mentorships: bool) -> GraduationResult:
    """The cohort's fellows become alumni; records what changed so it can be undone for 7 days."""
    if cohort.is_graduated:
        raise InvitationError(f"{cohort.name} graduated already.")
    fellows = db.session.scalars(
        select(User).join(CohortMembership, CohortMembership.user_id == User.id)
        .where(CohortMembership.cohort_id == cohort.id, CohortMembership.role == CohortRole.FELLOW)
        .options(selectinload(User.profile))).all()
    year = cohort.end_date.year
    changes: dict = {"users": [], "mentorships": []}
    alumni = []
    for fellow in fellows:
        change = {"id": fellow.id, "role": str(fellow.role), "profile_created": fellow.profile is None,
                  "year": fellow.profile.graduation_year if fellow.profile else None}
        if fellow.role == Role.FELLOW:
            fellow.role = Role.ALUMNI
            alumni.append(fellow)
        if fellow.profile is None:
            db.session.add(Profile(user_id=fellow.id, graduation_year=year))
        else:
            fellow.profile.graduation_year = year
        changes["users"].append(change)
    completed = 0
    if complete_mentorships and fellows:
        active = db.session.scalars(
            select(Mentorship).where(Mentorship.mentee_id.in_([f.id for f in fellows]),
                                     Mentorship.status == MentorshipStatus.ACTIVE)
            .options(selectinload(Mentorship.mentor), selectinload(Mentorship.mentee))).all()
        for mentorship in active:
            changes["mentorships"].append({"id": mentorship.id, "closing_comment": mentorship.closing_comment})
            end_mentorship(mentorship, mentorship.mentee, True, None, "Completed when the class graduated.")
            completed += 1
    now = utcnow()
    cohort.graduated_at = now
    graduation = Graduation(cohort_id=cohort.id, graduated_by_id=actor.id, graduated_at=now, changes=changes)
    db.session.add(graduation)
    db.session.flush()
    if alumni:
        notify_members(alumni, "cohort-graduated", f"Congratulations on graduating from {cohort.name}! "
                       "Would you mentor the next class?", url_for("mentorship.settings"),
                       target_type="cohort", target_id=cohort.id,
                       mail_subject=f"Congratulations, {cohort.name}: will you mentor the next class?",
                       mail_template="cohort_graduated", cohort=cohort, program=cohort.program)
    record(actor.id, "cohort.graduate", "cohort", cohort.id, program_id=cohort.program_id,
           alumni=len(alumni), mentorships_completed=completed)
    return GraduationResult(graduation, alumni, completed)


def undo_graduation(cohort: Cohort, actor: User) -> Graduation:
    """Put back exactly what the graduation changed: roles, graduation years, mentorships."""
    graduation = latest_graduation(cohort)
    if graduation is None or not cohort.is_graduated or not graduation.is_undoable():
        raise InvitationError("This graduation can no longer be undone (undo is possible for 7 days).")
    users = {u["id"]: u for u in graduation.changes.get("users", [])}
    people = db.session.scalars(select(User).where(User.id.in_(users)).options(selectinload(User.profile))).all()
    for person in people:
        before = users[person.id]
        if person.role == Role.ALUMNI and before["role"] == Role.FELLOW:
            person.role = Role.FELLOW
        if person.profile is not None:
            person.profile.graduation_year = before["year"]
    mentorships = {m["id"]: m for m in graduation.changes.get("mentorships", [])}
    if mentorships:
        for mentorship in db.session.scalars(select(Mentorship).where(Mentorship.id.in_(mentorships))):
            if mentorship.status != MentorshipStatus.COMPLETED:
                continue
            mentorship.status, mentorship.ended_at, mentorship.rating = MentorshipStatus.ACTIVE, None, None
            mentorship.closing_comment = mentorships[mentorship.id]["closing_comment"]
            db.session.execute(update(MentorSettings).where(MentorSettings.user_id == mentorship.mentor_id)
                               .values(active_mentees=MentorSettings.active_mentees + 1)
                               .execution_options(synchronize_session=False))
    cohort.graduated_at = None
    graduation.undone_at = utcnow()
    fellows_again = [person for person in people if users[person.id]["role"] == Role.FELLOW]
    cancelled = _withdraw_congratulations(cohort, graduation, fellows_again)
    record(actor.id, "cohort.graduation_undo", "cohort", cohort.id, program_id=cohort.program_id,
           mails_cancelled=cancelled)
    return graduation


def _withdraw_congratulations(cohort: Cohort, graduation: Graduation, fellows: list[User]) -> int:
    """The congratulations of an undone graduation: the unsent mails and the notifications go; the fellows
    hear that the graduation was undone (by mail too, as they chose, if its mail had gone out already).
    Returns how many mails were cancelled."""
    if not fellows:
        return 0
    emails = {person.email for person in fellows}
    since = graduation.graduated_at
    congratulation = (EmailOutbox.kind == "cohort-graduated", EmailOutbox.recipient.in_(emails),
                      EmailOutbox.created_at >= since)
    mailed = set(db.session.scalars(select(EmailOutbox.recipient).where(
        *congratulation, EmailOutbox.status.in_((OutboxStatus.SENT, OutboxStatus.SENDING)))))
    cancelled = db.session.execute(delete(EmailOutbox).where(
        *congratulation, EmailOutbox.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)))
        .execution_options(synchronize_session=False)).rowcount
    db.session.execute(delete(Notification).where(
        Notification.kind == "cohort-graduated", Notification.target_type == "cohort",
        Notification.target_id == cohort.id, Notification.user_id.in_([person.id for person in fellows]))
        .execution_options(synchronize_session=False))
    forget_unread_counts()
    title = f"The graduation of {cohort.name} was undone; you are a fellow again."
    link = url_for("main.index")
    told_by_mail = [person for person in fellows if person.email in mailed]
    if told_by_mail:
        notify_members(told_by_mail, "cohort-graduation-undone", title, link, target_type="cohort",
                       target_id=cohort.id, mail_subject=f"{cohort.name}: the graduation was undone",
                       mail_template="cohort_graduation_undone", cohort=cohort, program=cohort.program)
    for person in fellows:
        if person.email not in mailed:
            notify(person.id, "cohort-graduation-undone", title, link, "cohort", cohort.id)
    return cancelled
