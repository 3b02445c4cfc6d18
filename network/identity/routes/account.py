"""Sign-in methods on the member's account page: linking a further provider, and unlinking one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from network.access import account_view
from network.extensions import db
from network.identity import linking, pending, providers
from network.identity.linking import LinkRefused
from network.identity.models import LinkedIdentity
from network.identity.protocol import SignInRefused
from network.identity.protocols import protocol_for
from network.identity.routes.blueprint import bp
from network.identity.routes.common import refused


@bp.route("/account/sign-in-methods/<slug>/link", methods=["POST"])
@account_view
def link_start(slug: str):
    """Off to the provider; when it answers, its identity is linked to the signed-in member."""
    provider = providers.enabled_provider(slug)
    if provider is None:
        abort(404)
    try:
        begun = protocol_for(provider).begin(provider, providers.return_url(slug))
    except SignInRefused as exc:
        return refused(provider, exc.reason, exc.message)
    pending.start(slug, begun.kept, None, link_to=current_user.id)
    # A page that moves on, not a redirect: the account page's CSP (form-action 'self') makes a browser stop
    # a form's POST that redirects to another site.
    return render_template("identity/onward.html", provider=provider, url=begun.url)


@bp.route("/account/sign-in-methods/<int:identity_id>/unlink", methods=["POST"])
@account_view
def unlink(identity_id: int):
    """Unlink one of my identities, while a password or another identity still lets me in."""
    identity = db.first_or_404(select(LinkedIdentity).where(LinkedIdentity.id == identity_id,
                                                            LinkedIdentity.user_id == current_user.id))
    name = identity.provider.name
    try:
        linking.unlink(current_user._get_current_object(), identity)
    except LinkRefused as exc:
        db.session.rollback()
        return render_template("identity/refused.html", provider=identity.provider, message=exc.message,
                               title="This sign-in method stays", back=url_for("auth.account"),
                               back_label="Back to your account"), 409
    db.session.commit()
    flash(f"{name} is unlinked: it no longer signs you in.", "success")
    return redirect(url_for("auth.account") + "#sign-in-methods")
