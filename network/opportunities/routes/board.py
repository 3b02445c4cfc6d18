"""The board and its archive (filters, sort, word search, pages) and the member's own list: what they
posted, bookmarked and RSVPed to."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from network import permissions
from network.cache import cached, current_versions
from network.opportunities.forms import BoardForm
from network.opportunities.models import OpportunityKind
from network.opportunities.queries.board import SORTS, BoardFilters, board_page
from network.opportunities.queries.member import my_opportunities
from network.opportunities.routes.blueprint import bp
from network.profiles.directory import VOCABULARY, filter_choices
from network.types import utcnow

#: The filters a member types words into: a form with those filled is written afresh on each view.
TYPED_FILTERS = ("q", "location")
#: Kept forms with more tags chosen than this are not worth a place in the cache.
KEPT_TAGS = 3


def _filters_html(form: BoardForm, filters: BoardFilters, vocabulary: str | None) -> Markup:
    """The filter form's HTML. For a state picked from the lists only (the plain board, a kind, a tag, a
    sort), it is kept per version of the vocabulary, keyed by the page and that state as read (so only
    values the lists offer make a key; network/cache.py)."""
    def render() -> str:
        return render_template("opportunities/_board_filters.html", form=form)

    offered_tags = {choice.value for choice in form.interests.choices}
    if (form.errors or any(request.args.get(name) for name in TYPED_FILTERS)
            or len(filters.interest_ids) > KEPT_TAGS or not offered_tags.issuperset(filters.interest_ids)):
        return Markup(render())  # noqa: S704 (a rendered, autoescaped template)
    state = (sorted(filters.kinds), filters.mine, sorted(filters.interest_ids), filters.specialty_id,
             filters.work_mode, filters.deadline_days, filters.sort)
    return Markup(cached(VOCABULARY, f"board-filters:{request.endpoint}:{state}", render,  # noqa: S704
                         current=vocabulary))


def _board(archive: bool):
    form = BoardForm(request.args)
    # The directory's filter choices, kept per version of the vocabulary (network/cache.py).
    vocabulary = current_versions(VOCABULARY)[VOCABULARY.name]
    choices = filter_choices("specialty", "interest", version=vocabulary)
    form.specialty.choices = [SelectChoice("", "Any specialty"), *choices["specialty"]]
    form.interests.choices = choices["interest"]
    form.validate()
    mode = form.work_mode.data or ""
    filters = BoardFilters(
        kinds=[k for k in form.kind.data or [] if k in set(OpportunityKind)],
        interest_ids=[i for i in form.interests.data or [] if i > 0],
        specialty_id=form.specialty.data if not form.specialty.errors else None,
        location=(form.location.data or "")[:120],
        work_mode=mode if mode in ("remote", "onsite", "remote_only") else "",
        deadline_days=form.deadline_days.data if not form.deadline_days.errors else None,
        mine=bool(form.mine.data), q=(form.q.data or "")[:200],
        sort=form.sort.data if form.sort.data in SORTS else "newest")
    page_number = form.page.data if form.page.data and not form.page.errors else 1
    page = board_page(current_user.id, filters, utcnow(), page_number, archive=archive)
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template("opportunities/board.html", form=form, page=page, archive=archive, filters=filters,
                           filters_html=_filters_html(form, filters, vocabulary), args=args,
                           can_post=permissions.can_post_opportunity(current_user))


@bp.route("/")
def board():
    """Current opportunities: filters, sort, word search, pages."""
    return _board(archive=False)


@bp.route("/archive")
def archive():
    """Past deadlines, past events and closed opportunities."""
    return _board(archive=True)


@bp.route("/mine")
def mine():
    """What the member posted, bookmarked and RSVPed to."""
    posted, saved, rsvps, interest_counts = my_opportunities(current_user.id, utcnow())
    return render_template("opportunities/mine.html", posted=posted, saved=saved, rsvps=rsvps,
                           interest_counts=interest_counts)
