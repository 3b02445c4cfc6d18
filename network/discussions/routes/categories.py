"""The administrators' category pages: the ordered list (every cohort's private category opened first),
creating and changing a category (who sees it, whether it holds posts with likely identifiers), moving it up
or down, and deleting an empty one after a confirmation step."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network import permissions
from network.access import permission_required
from network.confirmation import confirmation_page, confirmed
from network.discussions import queries
from network.discussions.forms import CategoryForm
from network.discussions.models import Category, CategoryVisibility
from network.discussions.routes.blueprint import bp
from network.discussions.services import categories as category_services
from network.discussions.services.errors import DiscussionError
from network.extensions import db


@bp.route("/categories")
@permission_required(permissions.can_manage_categories)
def categories():
    """All categories in order, with ordering buttons."""
    if category_services.ensure_cohort_categories():
        db.session.commit()
    return render_template("discussions/categories.html", categories=queries.all_categories())


def _category_form(category: Category | None):
    """The form that creates a category (``category`` None) or changes one."""
    form = CategoryForm(obj=category)
    form.cohort_id.choices = [SelectChoice(0, "No cohort")] + [
        SelectChoice(id_, f"{program}: {name}") for id_, name, program in queries.cohort_choices()]
    if category is not None and not form.is_submitted():
        form.visibility.data = str(category.visibility)
        form.cohort_id.data = category.cohort_id or 0
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/category_form.html", form=form, category=category), 400
        try:
            saved = category_services.save_category(
                current_user, category, name=form.name.data, description=form.description.data or "",
                visibility=CategoryVisibility(form.visibility.data), cohort_id=form.cohort_id.data or None,
                holds_phi_matches=form.holds_phi_matches.data)
        except DiscussionError as exc:
            form.cohort_id.errors = list(form.cohort_id.errors) + [str(exc)]
            return render_template("discussions/category_form.html", form=form, category=category), 400
        db.session.commit()
        flash(f"The category {saved.name} is saved.", "success")
        return redirect(url_for(".categories"))
    return render_template("discussions/category_form.html", form=form, category=category)


@bp.route("/categories/new", methods=["GET", "POST"])
@permission_required(permissions.can_manage_categories)
def new_category():
    """Create a category."""
    return _category_form(None)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@permission_required(permissions.can_manage_categories)
def edit_category(category_id: int):
    """Rename a category or change who sees it."""
    category = db.get_or_404(Category, category_id)
    return _category_form(category)


@bp.route("/categories/<int:category_id>/move", methods=["POST"])
@permission_required(permissions.can_manage_categories)
def move_category(category_id: int):
    """Move a category up or down the list."""
    category = db.get_or_404(Category, category_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if direction is None:
        abort(400)
    category_services.move_category(current_user, category, direction)
    db.session.commit()
    return redirect(url_for(".categories"))


@bp.route("/categories/<int:category_id>/delete", methods=["POST"])
@permission_required(permissions.can_manage_categories)
def delete_category(category_id: int):
    """Delete an empty category."""
    category = db.get_or_404(Category, category_id)
    if not confirmed():
        return confirmation_page(
            title=f"Delete the category “{category.name}”?",
            consequences="It leaves the forum for good; only an empty category can be deleted. You can create "
                         "a category with the same name again later.",
            button="Delete the category", cancel=url_for(".categories"))
    try:
        category_services.delete_category(current_user, category)
    except DiscussionError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".categories"))
    db.session.commit()
    flash("The category is deleted.", "success")
    return redirect(url_for(".categories"))
