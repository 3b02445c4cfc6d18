"""The "My class" page of a fellow."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from network.access import permission_required
from network.classmates.queries import my_class
from network.permissions import can_see_class
from network.types import utcnow

bp = Blueprint("classmates", __name__)


@bp.route("/my-class")
@permission_required(can_see_class)
def my_class_page():
    """The fellow's current class: classmates, the mentors the fellow may see, the class's category and the
    dates ahead; a fellow with no current class is told so."""
    page = my_class(current_user, date.today(), utcnow())
    if page is None:
        return render_template("classmates/no_class.html")
    return render_template("classmates/my_class.html", page=page, today=date.today())
