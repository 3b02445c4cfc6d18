"""Account services: they change the session's objects and never commit."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from network.auth.sessions import parse_login_id, signed_in_too_long_ago, token_hash
from network.auth.tokens import make_confirmation_token, make_reset_token
from network.extensions import db
from network.mail.services import queue_email
from network.members.models import (
    MemberSession,
    MemberStatus,
    Registration,
    Role,
    User,
    normalize_email,
    revoke_sessions,
    user_by_email,
)
from network.messages.services import member_with_unread_counts
from network.programs.models import Program
from network.types import utcnow
from network.urls import public_url

# Checked against when the email is unknown, so both answers take as long.
_DUMMY_HASH = generate_password_hash("timing-equaliser-not-a-password")


def find_by_email(address: str) -> User | None:
    return db.session.scalars(user_by_email(address)).first()


def register_member(name: str, email: str, password: str, role: Role, *, program_id: int | None = None,
                    program_name: str = "", training_year: int | None = None,
                    graduation_year: int | None = None) -> User | None:
    """Create a pending member, with what they said of their program and training stage for the
    administrator who verifies them, and queue their confirmation mail; the new member.

    For an address already in use nobody is created: its owner gets a mail saying so, and None comes
    back. The visitor is answered the same either way (no one learns who is a member), and both ways
    hash a password and queue one mail, so they take as long too.
    """
    owner = find_by_email(email)
    if owner is not None:
        generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        queue_email("registration-attempt", owner.email,
                    "Someone tried to register with your Fellowship Network address",
                    "registration_attempt", user=owner,
                    login_link=public_url("auth.login"),
                    reset_link=public_url("auth.forgot_password"))
        return None
    user = User(name=name.strip(), email=normalize_email(email), role=role, status=MemberStatus.PENDING)
    user.set_password(password)
    user.registration = Registration(program_id=program_id, program_name=program_name,
                                     training_year=training_year, graduation_year=graduation_year)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user


def program_choices():
    """A ``select`` of (id, name, institution) of every program, by name: the programs a visitor may name."""
    return select(Program.id, Program.name, Program.institution).order_by(Program.name, Program.id)


def send_confirmation(user: User) -> None:
    """Queue the mail with the link that confirms the member's address."""
    link = public_url("auth.confirm_email", token=make_confirmation_token(user))
    queue_email("confirm-email", user.email, "Confirm your email for Fellowship Network",
                "confirm_email", user=user, link=link)


def confirm_email(user: User) -> bool:
    """Mark the address confirmed; False when it already was."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = utcnow()
    return True


def authenticate(email: str, password: str) -> User | None:
    """The member with these credentials, or None; the same work either way."""
    user = find_by_email(email) if len(email) <= 254 else None
    if user is None or not user.has_password:
        # No account, or one that came from an institution's sign-in with no password: as long either way.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset link if the address belongs to an active member; silent otherwise."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    link = public_url("auth.reset_password", token=make_reset_token(user))
    queue_email("password-reset", user.email, "Reset your Fellowship Network password",
                "reset_password", user=user, link=link)


def set_new_password(user: User, password: str) -> None:
    """Replace the password, end every other session and tell the member by mail."""
    user.set_password(password)
    user.end_other_sessions()
    queue_email("password-changed", user.email, "Your Fellowship Network password was changed",
                "password_changed", user=user, reset_link=public_url("auth.forgot_password"))


def load_member(user_id) -> User | None:
    if not isinstance(user_id, int):
        return None
    return db.session.get(User, user_id)


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: ``"<id>:<session version>:<signed-in at>:<token>"`` (session or remember-me
    cookie) must name a live session row of an active member, at the member's current version and
    within the absolute timeout. One query: the row is joined to the member."""
    parsed = parse_login_id(session_id)
    if parsed is None or signed_in_too_long_ago(parsed.signed_in_at):
        return None
    # The navigation's badges come with the member.
    user = member_with_unread_counts(parsed.user_id, token_hash(parsed.token))
    if user is None or user.session_version != parsed.version or not user.is_active:
        return None
    return user


def live_sessions(user_id: int):
    """A ``select`` of the member's sessions that can still be used, most recently active first."""
    since = utcnow() - current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    return (select(MemberSession)
            .where(MemberSession.user_id == user_id, MemberSession.revoked_at.is_(None),
                   MemberSession.created_at >= since)
            .order_by(MemberSession.last_seen_at.desc(), MemberSession.id.desc()))


def end_member_session(member_session: MemberSession) -> None:
    """End one session: its cookie and its remember-me cookie open nothing from now on."""
    db.session.execute(revoke_sessions().where(MemberSession.id == member_session.id))


def verified_admins():
    return select(User).where(User.role == Role.ADMIN, User.status == MemberStatus.VERIFIED)
