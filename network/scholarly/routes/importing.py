"""Importing citations: paste or upload (read and kept, nothing saved yet), the preview with duplicates marked,
and saving the chosen items."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from network.errors import handle_http_error
from network.extensions import db
from network.forms import read_upload
from network.scholarly import imports
from network.scholarly.citations import CitationError
from network.scholarly.forms import MAX_BYTES, TOO_LARGE, ImportForm, ImportSaveForm
from network.scholarly.models import ItemKind, ItemStatus, ScholarlyImport
from network.scholarly.routes.blueprint import bp

log = logging.getLogger(__name__)


def _text_of(form: ImportForm) -> tuple[str | None, str, int]:
    """The pasted or uploaded text, the file's name, and the status to answer when there is none."""
    upload = form.upload.data
    if upload is not None and getattr(upload, "filename", ""):
        data = read_upload(upload, MAX_BYTES)
        if len(data) > MAX_BYTES:
            form.upload.errors.append(TOO_LARGE)
            return None, "", 413
        try:
            return data.decode("utf-8-sig"), upload.filename, 200
        except UnicodeDecodeError:
            form.upload.errors.append("This file is not UTF-8 text: export it again as UTF-8 (RIS, BibTeX or MEDLINE).")
            return None, "", 400
    text = form.text.data or ""
    if len(text.encode("utf-8")) > MAX_BYTES:
        form.text.errors.append(TOO_LARGE)
        return None, "", 413
    if not text.strip():
        form.text.errors.append("Paste citations here, or choose a file below.")
        return None, "", 400
    return text, "", 200


@bp.route("/import", methods=["GET", "POST"])
def import_citations():
    """Step 1: paste or upload citations; they are read and kept for the preview, nothing is saved yet."""
    form = ImportForm()
    status, problems = 200, []
    if form.validate_on_submit():
        text, filename, status = _text_of(form)
        if text is not None:
            try:
                staged = imports.stage(current_user, text, filename)
            except CitationError as exc:
                form.text.errors.append(str(exc))
                status = 400
            except imports.ImportProblems as exc:
                problems, status = exc.items, 400
            else:
                db.session.commit()
                return redirect(url_for("scholarly.import_preview", import_id=staged.id))
    elif form.is_submitted():
        status = 400
    return render_template("scholarly/import.html", form=form, problems=problems), status


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A request over the form limits is refused while the form is read, before the view runs: back to the form."""
    if request.endpoint != "scholarly.import_citations":
        return handle_http_error(error)
    flash(f"{TOO_LARGE} Nothing was imported.", "danger")
    return redirect(url_for("scholarly.import_citations"), 303)


def _staged_or_404(import_id: int) -> ScholarlyImport:
    staged = db.session.get(ScholarlyImport, import_id)
    if staged is None or staged.owner_id != current_user.id:
        abort(404)
    return staged


def _save_form(items) -> ImportSaveForm:
    form = ImportSaveForm()
    form.chosen.choices = [SelectChoice(n, item.title) for n, item in enumerate(items)]
    if request.method == "GET":
        form.chosen.data = [n for n, item in enumerate(items) if not item.duplicate]
    return form


def _render_preview(staged: ScholarlyImport, items, form: ImportSaveForm, status: int = 200):
    return render_template("scholarly/import_preview.html", staged=staged, items=items, form=form,
                           kinds={kind.value: kind.label for kind in ItemKind},
                           statuses={status.value: status.label for status in ItemStatus}), status


@bp.route("/import/<int:import_id>")
def import_preview(import_id: int):
    """Step 2: the items read, each marked when it repeats one already in my record; choose which to save."""
    staged = _staged_or_404(import_id)
    items = imports.citations_of(staged)
    return _render_preview(staged, items, _save_form(items))


@bp.route("/import/<int:import_id>", methods=["POST"])
def save_import(import_id: int):
    """Step 3: save the chosen items; the import is forgotten."""
    staged = _staged_or_404(import_id)
    items = imports.citations_of(staged)
    form = _save_form(items)
    if not form.validate_on_submit() or not form.chosen.data:
        if not form.chosen.errors:
            form.chosen.errors.append("Choose at least one item to save.")
        return _render_preview(staged, items, form, 400)
    saved = imports.save(staged, current_user, form.chosen.data)
    db.session.commit()
    log.info("scholarly import %s: %s items saved by %s", import_id, len(saved), current_user.id)
    flash(f"Saved {len(saved)} item(s). Link co-authors who are members from each item's “Authors” page.", "success")
    return redirect(url_for("scholarly.mine"))
