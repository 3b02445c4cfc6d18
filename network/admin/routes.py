"""Admin: verify or reject members who registered."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from network.access import role_required
from network.auth.forms import ActionForm
from network.extensions import db
from network.members import services
from network.members.models import MemberStatus, Role, User
from network.taxonomy import services as taxonomy_services
from network.taxonomy.forms import TermForm
from network.taxonomy.models import VOCABULARIES, all_terms

bp = Blueprint("admin", __name__)
log = logging.getLogger(__name__)

PAGE_SIZE = 50


@bp.route("/members/pending")
@role_required(Role.ADMIN)
def pending_members():
    """Members waiting for verification, oldest first."""
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    query = select(User).where(User.status == MemberStatus.PENDING).order_by(User.created_at, User.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    members = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    if page > 1 and not members:
        abort(404)
    return render_template("admin/pending_members.html", members=members, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), action_form=ActionForm())


def _decide(user_id: int, decide, done_message: str):
    """Load the member (404), check the form (400), apply ``decide``, commit once, redirect."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        decide(user, current_user)
    except services.NotPending:
        flash(f"{user.name} is not waiting for verification any more.", "warning")
    except services.EmailNotConfirmed:
        flash(f"{user.name} has not confirmed their email address yet, so it may not be theirs. "
              "Verify them once they have.", "warning")
    else:
        db.session.commit()
        log.info("member %s: %s by %s", user.id, decide.__name__, current_user.id)
        flash(done_message.format(name=user.name), "success")
    return redirect(url_for("admin.pending_members"))


@bp.route("/members/<int:user_id>/verify", methods=["POST"])
@role_required(Role.ADMIN)
def verify_member(user_id: int):
    """Admit a pending member to the network."""
    return _decide(user_id, services.verify_member, "{name} is verified and can now use the network.")


@bp.route("/members/<int:user_id>/reject", methods=["POST"])
@role_required(Role.ADMIN)
def reject_member(user_id: int):
    """Turn down a pending registration; the account can no longer sign in."""
    return _decide(user_id, services.reject_member, "The registration of {name} was rejected.")


# -- the taxonomy ------------------------------------------------------------------


def _vocabulary_or_404(vocabulary: str):
    if vocabulary not in VOCABULARIES:
        abort(404)
    return VOCABULARIES[vocabulary]


def _term_or_404(model, term_id: int):
    term = db.session.get(model, term_id)
    if term is None:
        abort(404)
    return term


@bp.route("/taxonomy/")
@role_required(Role.ADMIN)
def taxonomy_index():
    """The vocabularies admins edit."""
    return redirect(url_for("admin.taxonomy", vocabulary="interests"))


@bp.route("/taxonomy/<vocabulary>")
@role_required(Role.ADMIN)
def taxonomy(vocabulary: str):
    """One vocabulary's terms, retired ones included."""
    model, label = _vocabulary_or_404(vocabulary)
    terms = db.session.scalars(all_terms(model)).all()
    return render_template("admin/taxonomy.html", vocabulary=vocabulary, label=label, terms=terms,
                           vocabularies=VOCABULARIES, add_form=TermForm(), action_form=ActionForm())


@bp.route("/taxonomy/<vocabulary>", methods=["POST"])
@role_required(Role.ADMIN)
def add_term(vocabulary: str):
    """Add a term at the end of a vocabulary."""
    model, label = _vocabulary_or_404(vocabulary)
    form = TermForm()
    if form.validate_on_submit():
        try:
            taxonomy_services.add_term(model, form.name.data, current_user.id)
        except taxonomy_services.DuplicateTerm:
            form.name.errors.append("That name is already in the list.")
        else:
            db.session.commit()
            flash(f"“{form.name.data}” is added to {label.lower()}.", "success")
            return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
    terms = db.session.scalars(all_terms(model)).all()
    status = 409 if any("already" in e for e in form.name.errors) else 400
    return render_template("admin/taxonomy.html", vocabulary=vocabulary, label=label, terms=terms,
                           vocabularies=VOCABULARIES, add_form=form, action_form=ActionForm()), status


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/rename", methods=["POST"])
@role_required(Role.ADMIN)
def rename_term(vocabulary: str, term_id: int):
    """Rename a term; profiles using it show and find the new name."""
    model, label = _vocabulary_or_404(vocabulary)
    term = _term_or_404(model, term_id)
    form = TermForm()
    if not form.validate_on_submit():
        flash("Enter a name of at most 120 characters.", "danger")
        return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
    try:
        taxonomy_services.rename_term(term, form.name.data, current_user.id)
    except taxonomy_services.DuplicateTerm:
        db.session.rollback()
        flash(f"“{form.name.data}” is already in the list.", "warning")
        return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
    db.session.commit()
    flash(f"Renamed to “{term.name}”.", "success")
    return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/retire", methods=["POST"])
@role_required(Role.ADMIN)
def retire_term(vocabulary: str, term_id: int):
    """Stop offering a term; members who have it keep it."""
    return _set_retired(vocabulary, term_id, taxonomy_services.retire_term, "is retired")


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/restore", methods=["POST"])
@role_required(Role.ADMIN)
def restore_term(vocabulary: str, term_id: int):
    """Offer a retired term again."""
    return _set_retired(vocabulary, term_id, taxonomy_services.restore_term, "is offered again")


def _set_retired(vocabulary: str, term_id: int, change, done: str):
    model, _ = _vocabulary_or_404(vocabulary)
    term = _term_or_404(model, term_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    change(term, current_user.id)
    db.session.commit()
    flash(f"“{term.name}” {done}.", "success")
    return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
