"""What a first sign-in through a provider may need: proving the account that has its email (with the
password, or a link mailed to that address), or, for a new member, choosing a role."""

from __future__ import annotations

from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from network.access import public
from network.auth import services as accounts
from network.auth.limits import login_limit, per_address_and, reset_limit
from network.auth.tokens import TokenError
from network.extensions import db, limiter
from network.identity import linking, pending, proof
from network.identity.forms import ProveWithPasswordForm, RoleForm
from network.identity.linking import LinkRefused
from network.identity.models import IdentityProvider
from network.identity.routes.blueprint import bp
from network.identity.routes.common import refused, restart, sign_in, waiting_provider
from network.identity.routes.round_trip import DISABLED
from network.members.models import Role, User


class Waiting(NamedTuple):
    stage: dict
    provider: IdentityProvider
    user: User | None


def _waiting(for_account: bool):
    """What waits (the stage, its provider, the account to prove or None), or a response: the sign-in page
    when nothing waits, the refusal when the provider was turned off meanwhile or the account cannot sign in."""
    stage = pending.waiting()
    if stage is None or (stage.get("user") is not None) != for_account:
        return restart()
    provider = waiting_provider(stage)
    if provider is None or not provider.enabled:
        return refused(provider, "disabled", DISABLED.format(name=provider.name if provider else "that institution"))
    user = db.session.get(User, stage["user"]) if for_account else None
    if for_account and (user is None or not user.is_active):
        return refused(provider, "deactivated", "This account can no longer sign in. Write to the site "
                                                "administrators if you think this is a mistake.", 403)
    return Waiting(stage, provider, user)


def _link_and_sign_in(stage: dict, provider, user: User, how: str):
    assertion = pending.assertion_of(stage)
    try:
        linking.link(user, provider, assertion, how)
        if how == "mail":
            accounts.confirm_email(user)  # the link reached their inbox
        db.session.flush()
    except LinkRefused as exc:
        return refused(provider, exc.reason, exc.message, exc.status)
    except IntegrityError:
        return refused(provider, "concurrent", "This identity was linked at the same moment elsewhere.", 409)
    pending.end_waiting()
    flash(f"{provider.name} is linked to your account: next time its button signs you in.", "success")
    return sign_in(user, assertion.mfa, stage.get("next"), provider)


def _proof_page(stage, provider, user, form: ProveWithPasswordForm | None = None, status: int = 200):
    return render_template("identity/prove.html", provider=provider, user=user,
                           assertion=pending.assertion_of(stage), form=form or ProveWithPasswordForm()), status


def proving_key() -> str:
    """Rate-limit key: the account being proved, so spreading password guesses over addresses does not help."""
    stage = pending.waiting() or {}
    return "identity-proof:" + str(stage.get("user", "none"))[:40]


@bp.route("/login/link-account", methods=["GET", "POST"])
@public
@per_address_and(login_limit, proving_key)
def prove():
    """An account has the provider's email: prove it is yours (its password, or a mailed link) to link them."""
    found = _waiting(for_account=True)
    if not isinstance(found, Waiting):
        return found
    stage, provider, user = found
    form = ProveWithPasswordForm()
    if not form.validate_on_submit():
        return _proof_page(stage, provider, user, form, 400 if form.is_submitted() else 200)
    if not user.check_password(form.password.data):
        form.password.errors.append("This is not the password of this account. Try again, or have a link mailed.")
        return _proof_page(stage, provider, user, form, 400)
    return _link_and_sign_in(stage, provider, user, "password")


@bp.route("/login/link-account/mail", methods=["POST"])
@public
@limiter.limit(reset_limit)
def send_proof_link():
    """Mail the account's address a link that proves it and links the provider's identity."""
    found = _waiting(for_account=True)
    if not isinstance(found, Waiting):
        return found
    stage, provider, user = found
    proof.send_link(user, provider, stage)
    db.session.commit()
    flash(f"We sent a link to {user.email}. Open it in this browser within the hour.", "info")
    return redirect(url_for("identity.prove"))


@bp.route("/login/link-account/mailed/<token>", methods=["GET", "POST"])
@public
def mailed_link(token: str):
    """The mailed link: confirm (a POST, so a mail scanner's visit links nothing), then link and sign in."""
    try:
        proof.check_link(token, pending.waiting())
    except TokenError as exc:
        return render_template("auth/token_error.html", message=str(exc)), 400
    found = _waiting(for_account=True)
    if not isinstance(found, Waiting):
        return found
    stage, provider, user = found
    if request.method == "GET":
        return render_template("identity/confirm_link.html", provider=provider, user=user, token=token)
    return _link_and_sign_in(stage, provider, user, "mail")


@bp.route("/login/new-member", methods=["GET", "POST"])
@public
def choose_role():
    """A new member whose institution names no role we map: asked once, then the account is made."""
    found = _waiting(for_account=False)
    if not isinstance(found, Waiting):
        return found
    stage, provider, _ = found
    assertion = pending.assertion_of(stage)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            user, _identity = linking.create_member(provider, assertion, Role(form.role.data))
            db.session.flush()
        except LinkRefused as exc:
            return refused(provider, exc.reason, exc.message, exc.status)
        except IntegrityError:
            return refused(provider, "concurrent", "This account was made at the same moment elsewhere. "
                                                   "Please sign in again.", 409)
        pending.end_waiting()
        flash(f"Welcome to Fellowship Network. Your account was made from your {provider.name} sign-in.", "success")
        return sign_in(user, assertion.mfa, stage.get("next"), provider)
    return render_template("identity/choose_role.html", provider=provider, assertion=assertion, form=form), \
        400 if form.is_submitted() else 200
