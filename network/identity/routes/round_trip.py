"""The round trip to a provider: off to it, back from it, and our SAML service provider's metadata."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from network.access import public
from network.auth.limits import login_limit
from network.extensions import csrf, db, limiter
from network.identity import linking, pending, providers
from network.identity.linking import LinkRefused, ProofNeeded, RoleNeeded
from network.identity.models import IdentityProvider, ProviderKind
from network.identity.protocol import SignInRefused
from network.identity.protocols import protocol_for
from network.identity.routes.blueprint import bp
from network.identity.routes.common import refused, sign_in
from network.members.models import User
from network.urls import safe_next

#: The field our re-post page adds, so a re-posted answer that still finds no state is refused, not re-posted.
REPOSTED = "_reposted"

LOST = ("This sign-in could not be matched to one started in this browser (it may have taken longer than 15 "
        "minutes, or cookies are blocked). Please start again.")
DISABLED = "Sign-in through {name} is turned off on Fellowship Network. Sign in with your password or another way."
DOMAIN = ("{name} signed you in as {email}, but only addresses at {domains} may use it here. Sign in with your "
          "password, or ask your program coordinator.")


def _provider_or_404(slug: str) -> IdentityProvider:
    """Any registered provider, enabled or not (a disabled one mid-flow gets its own refusal)."""
    provider = db.session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None:
        abort(404)
    return provider


@bp.route("/login/with/<slug>")
@public
def start(slug: str):
    """Off to the provider's sign-in page; its answer comes back to ``finish``."""
    provider = providers.enabled_provider(slug)
    if provider is None:
        abort(404)
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    try:
        begun = protocol_for(provider).begin(provider, providers.return_url(slug))
    except SignInRefused as exc:
        return refused(provider, exc.reason, exc.message)
    pending.start(slug, begun.kept, next_url)
    return redirect(begun.url)


def _answer() -> MultiDict:
    """The provider's answer: the query string (a redirect back) or the form (a POST back), without our field."""
    params = MultiDict(request.args if request.method == "GET" else request.form)
    params.pop(REPOSTED, None)
    return params


@bp.route("/login/with/<slug>/return", methods=["GET", "POST"])
@public
@csrf.exempt  # the provider posts here: its answer is checked against the state kept in the session instead
@limiter.limit(login_limit, deduct_when=lambda response: response.status_code >= 400)
def finish(slug: str):
    """The provider's answer: check it, then sign in, link, or ask what a first sign-in needs.

    Only refused answers count against the limit (each writes an audit entry): a hospital's people share
    one outgoing address, and a morning of sign-ins through it must not lock them out."""
    provider = _provider_or_404(slug)
    started = pending.started(slug)
    if started is None:
        if request.method == "POST" and REPOSTED not in request.form:
            # A cross-site POST carries no SameSite=Lax cookie: post the same answer again from our own page,
            # whose request carries it. Nothing is written to the session here, so no cookie is replaced.
            return render_template("identity/repost.html", action=url_for("identity.finish", slug=slug),
                                   fields=list(request.form.items(multi=True)), reposted=REPOSTED)
        return refused(provider, "state-missing", LOST)
    pending.end_started()
    if not provider.enabled:
        return refused(provider, "disabled", DISABLED.format(name=provider.name))
    try:
        assertion = protocol_for(provider).finish(provider, providers.return_url(slug), _answer(), started["kept"])
    except SignInRefused as exc:
        return refused(provider, exc.reason, exc.message)
    if not provider.allows_email(assertion.email):
        domains = ", ".join(provider.email_domains.split())
        return refused(provider, "domain", DOMAIN.format(name=provider.name, email=assertion.email or "no address",
                                                         domains=domains), 403)
    if started.get("link_to") is not None:
        return _link_to_signed_in_member(provider, assertion, started["link_to"])
    try:
        outcome = linking.complete(provider, assertion)
        db.session.flush()
    except LinkRefused as exc:
        return refused(provider, exc.reason, exc.message, exc.status)
    except IntegrityError:
        return refused(provider, "concurrent", "This sign-in was completed at the same moment elsewhere. "
                                               "Please sign in again.", 409)
    if isinstance(outcome, ProofNeeded):
        pending.wait(provider, assertion, started.get("next"), outcome.user.id)
        db.session.commit()
        return redirect(url_for("identity.prove"))
    if isinstance(outcome, RoleNeeded):
        pending.wait(provider, assertion, started.get("next"))
        db.session.commit()
        return redirect(url_for("identity.choose_role"))
    if outcome.new:
        flash(f"Welcome to Fellowship Network. Your account was made from your {provider.name} sign-in.", "success")
    return sign_in(outcome.user, assertion.mfa, started.get("next"), provider)


def _link_to_signed_in_member(provider: IdentityProvider, assertion, member_id: int):
    """The member started this from their account page: link the identity to them."""
    if not current_user.is_authenticated or current_user.id != member_id:
        return refused(provider, "signed-out", "You were signed out while your institution answered. Sign in, "
                                               "then link it again from your account page.")
    user = db.session.get(User, member_id)
    try:
        linking.link(user, provider, assertion, "signed-in")
        db.session.commit()
    except LinkRefused as exc:
        return refused(provider, exc.reason, exc.message, exc.status)
    except IntegrityError:
        return refused(provider, "concurrent", "This identity was linked at the same moment elsewhere.", 409)
    flash(f"{provider.name} is linked: you can sign in with it from now on.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/login/with/<slug>/metadata")
@public
def metadata(slug: str):
    """Our SAML service provider's metadata for this provider, for the institution's IT office."""
    provider = _provider_or_404(slug)
    if provider.kind != ProviderKind.SAML:
        abort(404)
    xml = protocol_for(provider).sp_metadata(provider, providers.return_url(slug))
    return Response(xml, mimetype="application/samlmetadata+xml")
