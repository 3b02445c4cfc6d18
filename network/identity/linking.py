"""Who a provider's answer is on our side: a linked member, an account to prove first, or a new member.

``complete`` decides and writes what it can at once; the routes keep whatever must wait for the person (a
proof, a role) in the signed session and call ``link`` or ``create_member`` when it arrives. Services: they
add and flush, raise ``LinkRefused``, and never commit.

The rules: an identity already linked signs its member in. A verified email that matches an account is
never linked by that match alone: the person proves the account (its password, or a link mailed to it)
first. An unverified email that matches an account is refused, so nobody gets a second account. Anyone
else is a new member, made from the claims, in the provider's program.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from network.audit.models import record
from network.auth import services as accounts
from network.cohorts.models import Invitation, InvitationStatus
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity
from network.identity.protocol import Assertion
from network.members.models import (
    NO_PASSWORD,
    SELF_SERVICE_ROLES,
    MemberDeactivation,
    MemberStatus,
    Registration,
    Role,
    User,
    normalize_email,
)
from network.profiles.services import profile_of
from network.programs.models import Cohort, CohortRole
from network.signals import account_deleted
from network.text.lines import single_line
from network.types import utcnow

log = logging.getLogger(__name__)

#: Roles a provider's claim (or the person, when none maps) may give: never an administrator.
CLAIMABLE_ROLES = SELF_SERVICE_ROLES


class LinkRefused(Exception):
    """The answer is sound but cannot be used: ``reason`` is the audit code, ``message`` the person's words,
    ``status`` the page's status (403 for a deactivated member or an address outside the provider's domains)."""

    def __init__(self, reason: str, message: str, status: int = 400):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.status = status


@dataclass
class SignedIn:
    """Sign ``user`` in; ``new`` when the account was made just now."""

    user: User
    identity: LinkedIdentity
    new: bool = False


@dataclass
class ProofNeeded:
    """``user`` has the provider's (verified) email: they prove the account before anything is linked."""

    user: User


@dataclass
class RoleNeeded:
    """A new member whose role no claim gives: the person is asked once."""


def refusal(provider: IdentityProvider | None, reason: str, actor_id: int | None = None, **details) -> None:
    """Audit a refused sign-in: the provider's slug and the reason code, never a token, code or assertion."""
    record(actor_id, "identity.refused", "identity_provider", provider.id if provider is not None else None,
           program_id=provider.program_id if provider is not None else None,
           provider=provider.slug if provider is not None else "", reason=reason, **details)


def role_from_claims(provider: IdentityProvider, assertion: Assertion) -> Role | None:
    """The role the provider's claim maps to: the claim's values (space separated) in order, the first that
    ``role_map`` maps to a role a member may hold wins; None when none does."""
    if not provider.role_claim:
        return None
    allowed = {str(role) for role in CLAIMABLE_ROLES}
    for value in str(assertion.claims.get(provider.role_claim, "")).split():
        mapped = (provider.role_map or {}).get(value)
        if isinstance(mapped, str) and mapped in allowed:
            return Role(mapped)
    return None


def open_invitation(provider: IdentityProvider, email: str) -> Invitation | None:
    """The newest invitation still open for ``email`` into a class of the provider's program, if any."""
    if provider.program_id is None or not email:
        return None
    return db.session.scalar(
        select(Invitation).join(Cohort, Cohort.id == Invitation.cohort_id)
        .where(Cohort.program_id == provider.program_id, Cohort.graduated_at.is_(None),
               Invitation.email == normalize_email(email), Invitation.status == InvitationStatus.SENT,
               Invitation.expires_at > utcnow())
        .order_by(Invitation.id.desc()).limit(1))


def _role_from_invitation(provider: IdentityProvider, email: str) -> Role | None:
    invitation = open_invitation(provider, email)
    if invitation is None:
        return None
    return Role.FACULTY if invitation.role == CohortRole.FACULTY else Role.FELLOW


def _refuse_inactive(user: User) -> None:
    if user.is_active:
        return
    if db.session.get(MemberDeactivation, user.id) is not None:
        raise LinkRefused("deactivated", "This account has been deactivated by the site administrators. Write to "
                                         "them if you think this is a mistake.", 403)
    raise LinkRefused("not-admitted", "This account was not admitted to the network. Write to the site "
                                      "administrators if you think this is a mistake.", 403)


def _require_email(provider: IdentityProvider, email: str) -> None:
    if not email:
        raise LinkRefused("no-email", f"{provider.name} did not tell us your email address, which a new account "
                                      "needs. Ask your institution's IT office, or join with the form instead.")


def find_link(provider: IdentityProvider, subject: str) -> LinkedIdentity | None:
    return db.session.scalar(select(LinkedIdentity).where(LinkedIdentity.provider_id == provider.id,
                                                          LinkedIdentity.subject == subject))


def complete(provider: IdentityProvider, assertion: Assertion) -> SignedIn | ProofNeeded | RoleNeeded:
    """What the provider's answer means here (the provider is enabled and allows the email: the route checked)."""
    identity = find_link(provider, assertion.subject)
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        if user.deleted_at is None:
            _refuse_inactive(user)
            identity.last_used_at = utcnow()
            return SignedIn(user, identity)
        # The member deleted their account: the link went with it, and the person starts afresh.
        db.session.execute(delete(LinkedIdentity).where(LinkedIdentity.id == identity.id))
    owner = accounts.find_by_email(assertion.email) if assertion.email else None
    if owner is not None:
        if not assertion.email_verified:
            raise LinkRefused("unverified-email",
                              f"{provider.name} did not confirm that {assertion.email} is yours, and an account "
                              "with that address exists here. Sign in with its password instead, then link "
                              f"{provider.name} from your account page.")
        _refuse_inactive(owner)
        return ProofNeeded(owner)
    # Refused before a role is asked: without an address no account can be made, whatever the answer.
    _require_email(provider, normalize_email(assertion.email))
    role = role_from_claims(provider, assertion) or _role_from_invitation(provider, assertion.email)
    if role is None:
        return RoleNeeded()
    user, identity = create_member(provider, assertion, role)
    return SignedIn(user, identity, new=True)


def link(user: User, provider: IdentityProvider, assertion: Assertion, how: str) -> LinkedIdentity:
    """Link the provider's identity to ``user`` (``how`` they proved it: "password", "mail", "signed-in",
    "new-member"); audited. Refused when the identity is linked to someone else already."""
    existing = find_link(provider, assertion.subject)
    if existing is not None and existing.user_id != user.id:
        raise LinkRefused("linked-elsewhere", f"This {provider.name} account is linked to another member "
                                              "already. Sign in with it to use that account.")
    if existing is not None:
        existing.last_used_at = utcnow()
        return existing
    identity = LinkedIdentity(user_id=user.id, provider_id=provider.id, subject=assertion.subject,
                              email=normalize_email(assertion.email)[:255], last_used_at=utcnow())
    db.session.add(identity)
    db.session.flush()
    record(user.id, "identity.link", "linked_identity", identity.id, program_id=provider.program_id,
           provider=provider.slug, how=how)
    log.info("member %s linked an identity at %s (%s)", user.id, provider.slug, how)
    return identity


def create_member(provider: IdentityProvider, assertion: Assertion, role: Role) -> tuple[User, LinkedIdentity]:
    """A new member from the provider's claims: no password, in the provider's program as its registration
    says, verified at once when the provider vouches for its people, else waiting like a self-registered
    member. Cohorts they join only by accepting an invitation themself (the consent rule)."""
    if role not in CLAIMABLE_ROLES:
        raise ValueError(f"a member cannot arrive as {role}")
    email = normalize_email(assertion.email)
    _require_email(provider, email)
    if accounts.find_by_email(email) is not None:
        raise LinkRefused("account-exists", "An account with this address was made a moment ago. Sign in again.")
    now = utcnow()
    verified = provider.verifies_members
    name = single_line(assertion.name or "")[:120] or email.partition("@")[0]
    user = User(name=name, email=email, role=role, password_hash=NO_PASSWORD,
                status=MemberStatus.VERIFIED if verified else MemberStatus.PENDING,
                email_confirmed_at=now if assertion.email_verified else None,
                verified_at=now if verified else None, last_login_at=now)
    user.registration = Registration(program_id=provider.program_id)
    db.session.add(user)
    db.session.flush()
    # Findable by name in the directory from the first minute, as a member who joins from an invitation is.
    profile_of(user)
    record(user.id, "identity.join", "user", user.id, program_id=provider.program_id, provider=provider.slug,
           role=str(role), verified=verified)
    identity = link(user, provider, assertion, "new-member")
    if not assertion.email_verified:
        accounts.send_confirmation(user)
    log.info("member %s joined through %s as %s", user.id, provider.slug, role)
    return user, identity


def ways_in_besides(user: User, identity: LinkedIdentity) -> int:
    """How many other ways the member can sign in: a password, and identities at enabled providers."""
    others = db.session.scalar(
        select(func.count()).select_from(LinkedIdentity)
        .join(IdentityProvider, IdentityProvider.id == LinkedIdentity.provider_id)
        .where(LinkedIdentity.user_id == user.id, LinkedIdentity.id != identity.id, IdentityProvider.enabled))
    return others + (1 if user.has_password else 0)


def unlink(user: User, identity: LinkedIdentity) -> None:
    """Remove one of the member's identities while another way in remains; audited."""
    if ways_in_besides(user, identity) == 0:
        raise LinkRefused("last-way-in", "This is the only way you can sign in. Set a password first (we mail you "
                                         "a link), or link another institution, then unlink this one.")
    provider = identity.provider
    record(user.id, "identity.unlink", "linked_identity", identity.id, program_id=provider.program_id,
           provider=provider.slug)
    db.session.delete(identity)
    log.info("member %s unlinked an identity at %s", user.id, provider.slug)


def linked_identities(user_id: int):
    """A ``select`` of the member's identities with their providers, oldest first (the account page)."""
    return (select(LinkedIdentity, IdentityProvider)
            .join(IdentityProvider, IdentityProvider.id == LinkedIdentity.provider_id)
            .where(LinkedIdentity.user_id == user_id)
            .order_by(LinkedIdentity.created_at, LinkedIdentity.id))


@account_deleted.connect
def _forget_identities(user: User, **_details) -> None:
    """A deleted account takes its linked identities with it: the provider's id for the person and the email
    it gave are personal data (``signals.account_deleted``)."""
    db.session.execute(delete(LinkedIdentity).where(LinkedIdentity.user_id == user.id))
