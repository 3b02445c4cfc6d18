"""The taxonomy pages of the admin wing: each vocabulary's terms, added, renamed, retired and restored."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from network.access import role_required
from network.admin.routes.blueprint import bp
from network.extensions import db
from network.members.models import Role
from network.taxonomy import services as taxonomy_services
from network.taxonomy.forms import TermForm
from network.taxonomy.models import VOCABULARIES, all_terms


def _vocabulary_or_404(vocabulary: str):
    """The model and label of the vocabulary the URL names, or 404."""
    if vocabulary not in VOCABULARIES:
        abort(404)
    return VOCABULARIES[vocabulary]


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
                           vocabularies=VOCABULARIES, add_form=TermForm())


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
                           vocabularies=VOCABULARIES, add_form=form), status


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/rename", methods=["POST"])
@role_required(Role.ADMIN)
def rename_term(vocabulary: str, term_id: int):
    """Rename a term; profiles using it show and find the new name."""
    model, _label = _vocabulary_or_404(vocabulary)
    term = db.get_or_404(model, term_id)
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
    """Retire or restore a term with ``change``, then say it ``done``."""
    model, _ = _vocabulary_or_404(vocabulary)
    term = db.get_or_404(model, term_id)
    change(term, current_user.id)
    db.session.commit()
    flash(f"“{term.name}” {done}.", "success")
    return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
