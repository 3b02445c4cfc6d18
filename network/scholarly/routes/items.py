"""A member's scholarly items: their list, adding, editing and deleting one, linking its authors to members, a
member's full list as a viewer may see it, and the co-authors' confirmations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.extensions import db
from network.members.models import User
from network.permissions import can_answer_authorship, can_change_item
from network.profiles.directory import visible_members
from network.profiles.models import Visibility
from network.scholarly import queries, services
from network.scholarly.forms import VENUE_LABELS, ItemForm, author_lines, author_links_form, kinds_using
from network.scholarly.models import ItemKind, ItemStatus, ScholarlyAuthor, ScholarlyItem
from network.scholarly.routes.blueprint import bp


@bp.app_template_global()
def scholarly_first_items(member_id: int):
    """For the profile page: the member's newest items the signed-in member may see, and whether there are more."""
    return queries.first_items(current_user, member_id)


@bp.app_template_global()
def scholarly_mentorship_items(mentorship_id: int):
    """For the mentorship workspace: the items that came from it, as the signed-in member may see them."""
    return queries.mentorship_items(current_user, mentorship_id)


def _cursor_or_400():
    try:
        return queries.parse_cursor(request.args.get("after"))
    except ValueError:
        abort(400, "This page link is not one we gave out: start again from the first page.")


@bp.route("/")
def mine():
    """My scholarly record, newest first, a page at a time, with the co-authorships waiting for my answer."""
    listed, after = queries.items_page(current_user, current_user.id, _cursor_or_400())
    return render_template("scholarly/mine.html", listed=listed, after=after,
                           waiting=len(queries.pending_for(current_user.id)))


@bp.route("/members/<int:user_id>")
def member_items(user_id: int):
    """A member's whole record as far as each item's owner lets the viewer see it, a page at a time."""
    member = db.first_or_404(visible_members().where(User.id == user_id))
    listed, after = queries.items_page(current_user, member.id, _cursor_or_400())
    return render_template("scholarly/member.html", member=member, listed=listed, after=after)


def _form_for(item: ScholarlyItem | None) -> ItemForm:
    """The item form, filled from ``item`` (its authors one per line), with the links the member may make."""
    data = None
    if item is not None:
        data = {name: getattr(item, name) for name in ("kind", "status", "title", "venue", "published_on", "volume",
                                                        "issue", "pages", "doi", "pmid", "visibility")}
        data.update(authors="\n".join(line.name for line in item.authors), mentorship=item.mentorship_id,
                    collaboration=item.collaboration_id, presented_at=item.presented_at_id)
    form = ItemForm(data=data)
    form.set_choices(queries.mentorship_choices(current_user.id),
                     queries.opportunity_choices("collaboration", item.collaboration_id if item else None),
                     queries.opportunity_choices("presented_at", item.presented_at_id if item else None))
    return form


def _data(form: ItemForm) -> services.ItemData:
    return services.ItemData(
        kind=ItemKind(form.kind.data), status=ItemStatus(form.status.data), title=form.title.data,
        authors=author_lines(form.authors.data), venue=form.venue.data or "", published_on=form.published_on.data,
        volume=form.volume.data or "", issue=form.issue.data or "", pages=form.pages.data or "",
        doi=form.doi.data or "", pmid=form.pmid.data or "", visibility=Visibility(form.visibility.data),
        mentorship_id=form.mentorship.data, collaboration_id=form.collaboration.data,
        presented_at_id=form.presented_at.data)


def _render_form(form: ItemForm, item: ScholarlyItem | None, status: int = 200):
    return render_template("scholarly/edit.html", form=form, item=item, kinds_using=kinds_using,
                           venue_labels={kind.value: label for kind, label in VENUE_LABELS.items()}), status


def _save(form: ItemForm, item: ScholarlyItem | None):
    """Validate and save the item form (a new item when ``item`` is None), then go to its authors."""
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            saved = services.save_item(current_user, item, _data(form))
        except services.ScholarlyError as exc:
            form.form_errors.append(str(exc))
            return _render_form(form, item, 400)
        db.session.commit()
        flash(f"Saved “{saved.title}”.", "success")
        if any(line.member_id is None for line in saved.authors):
            return redirect(url_for("scholarly.authors", item_id=saved.id))
        return redirect(url_for("scholarly.mine"))
    return _render_form(form, item, 400 if form.is_submitted() else 200)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add an item by hand (or import citations instead)."""
    return _save(_form_for(None), None)


def _own_item_or_404(item_id: int) -> ScholarlyItem:
    item = db.session.get(ScholarlyItem, item_id)
    if not can_change_item(current_user, item):
        abort(404)
    return item


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int):
    """Change one of my items."""
    item = _own_item_or_404(item_id)
    return _save(_form_for(item), item)


@bp.route("/<int:item_id>/delete", methods=["POST"])
def delete(item_id: int):
    """Delete one of my items (its co-authors' confirmations go with it)."""
    item = _own_item_or_404(item_id)
    title = item.title
    services.delete_item(item)
    db.session.commit()
    flash(f"Deleted “{title}”.", "info")
    return redirect(url_for("scholarly.mine"))


@bp.route("/<int:item_id>/authors", methods=["GET", "POST"])
def authors(item_id: int):
    """Link an item's author lines to members of the directory; linked co-authors are asked to confirm."""
    item = _own_item_or_404(item_id)
    lines = list(item.authors)
    choices = queries.member_candidates([line.name for line in lines])
    if not any(member_id == current_user.id for member_id, _ in choices):
        choices.insert(0, (current_user.id, f"{current_user.name} (you)"))
    form = author_links_form(lines, choices)
    if form.validate_on_submit():
        links = {line.id: form[f"member_{line.id}"].data for line in lines}
        try:
            asked = services.link_authors(item, current_user, links)
        except services.ScholarlyError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash("Links saved." + (f" {len(asked)} co-author(s) asked to confirm." if asked else ""), "success")
            return redirect(url_for("scholarly.mine"))
    status = 400 if form.is_submitted() else 200
    return render_template("scholarly/authors.html", item=item, form=form, lines=lines), status


@bp.route("/confirmations")
def confirmations():
    """The items that list me as co-author and wait for my answer."""
    return render_template("scholarly/confirmations.html", waiting=queries.pending_for(current_user.id))


def _answer(line_id: int, confirmed: bool):
    line = db.session.get(ScholarlyAuthor, line_id)
    if not can_answer_authorship(current_user, line):
        abort(404)
    services.answer(line, current_user, confirmed)
    db.session.commit()
    flash(f"Confirmed: “{line.item.title}” shows on your profile." if confirmed
          else f"Declined: “{line.item.title}” stays off your profile.", "success" if confirmed else "info")
    return redirect(url_for("scholarly.confirmations"))


@bp.route("/authors/<int:line_id>/confirm", methods=["POST"])
def confirm(line_id: int):
    """I am this co-author: the item joins my record."""
    return _answer(line_id, True)


@bp.route("/authors/<int:line_id>/decline", methods=["POST"])
def decline(line_id: int):
    """This is not me, or I do not want it on my profile."""
    return _answer(line_id, False)
