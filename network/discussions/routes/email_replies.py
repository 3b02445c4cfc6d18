"""Reply by email on the account page: a member stops it (every reply address they were sent stops working
and no new one goes out) or turns it back on. The account page (``auth``) shows the partial
``discussions/_reply_by_email.html``, which reads the member's state through ``reply_by_email_state``."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from network.discussions.email_replies import addresses
from network.discussions.routes.blueprint import bp
from network.extensions import db

log = logging.getLogger(__name__)


@bp.app_template_global()
def reply_by_email_state(user) -> str | None:
    """For the account page: ``"on"``, ``"stopped"``, or None when reply by email is off on this site (or the
    member is not verified, so is sent no discussion mail)."""
    if addresses.reply_domain() is None or not user.is_verified:
        return None
    return "stopped" if addresses.stopped(user.id) else "on"


@bp.route("/reply-by-email", methods=["POST"])
def reply_by_email():
    """Stop replies by email (every reply address stops working at once) or turn them back on."""
    action = request.form.get("action")
    if action not in ("stop", "resume"):
        abort(400)
    if action == "stop":
        revoked = addresses.stop(current_user.id)
        db.session.commit()
        log.info("member %s stopped replies by email (%s addresses revoked)", current_user.id, revoked)
        flash("Replies by email are stopped: the reply addresses in mails you were sent no longer work, and new "
              "mails carry none.", "success")
    else:
        addresses.resume(current_user.id)
        db.session.commit()
        flash("Replies by email are on again: the next mail about a thread carries a new reply address.", "success")
    return redirect(url_for("auth.account", _anchor="reply-by-email"))
