"""``/api/v1/scholarly-items``: a member's scholarly record as the caller may see it (read only), a keyset page at a
time, and one item.

Both read through the pages' own query (``network.scholarly.queries``): an item hidden from the caller on the
profile is absent here too, and a co-author the caller may not open is a plain name (no ``member_id``).
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.extensions import db
from network.integers import DB_INT_MAX
from network.members.models import User
from network.profiles.directory import visible_members
from network.scholarly import queries
from network.scholarly.models import ItemKind, ItemStatus, ScholarlyItem

blp = api_blueprint("scholarly-items", __name__,
                    "Members' publications, abstracts, posters, talks, grants and roles, as you may see them.")

NOT_FOUND = "There is no scholarly item with this id that you may see."
NO_MEMBER = "There is no member with this id in the directory."


class RecordArgs(PageArgs):
    member = ma.fields.Integer(required=True, validate=ma.validate.Range(1, DB_INT_MAX),
                               metadata={"description": "The member whose record to list (their own items and "
                                                        "those they confirmed as co-author)."})


class AuthorSchema(ma.Schema):
    name = ma.fields.String(required=True, metadata={"description": "As printed, e.g. “Okafor AN”."})
    member_id = ma.fields.Integer(metadata={"description": "The member this author is, where they confirmed it "
                                                           "and you may see them; absent otherwise."})


class LinkSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class ItemSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    owner_id = ma.fields.Integer(required=True, metadata={"description": "The member who added it."})
    kind = ma.fields.String(required=True, metadata={"enum": [kind.value for kind in ItemKind]})
    status = ma.fields.String(required=True, metadata={"enum": [status.value for status in ItemStatus]})
    title = ma.fields.String(required=True)
    authors = ma.fields.List(ma.fields.Nested(AuthorSchema), required=True, metadata={"description": "In order."})
    venue = ma.fields.String(required=True)
    published_on = ma.fields.Date(allow_none=True, required=True, metadata={
        "description": "Publication, presentation or start date; null while in preparation."})
    academic_year = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "The July–June academic year it falls in, as its first year (2025 for 2025–26)."})
    volume = ma.fields.String(required=True)
    issue = ma.fields.String(required=True)
    pages = ma.fields.String(required=True)
    doi = ma.fields.String(required=True)
    pmid = ma.fields.String(required=True)
    from_mentorship = ma.fields.Boolean(required=True, metadata={"description": "It came from a research mentorship."})
    collaboration = ma.fields.Nested(LinkSchema, metadata={"description": "The research collaboration it came from."})
    presented_at = ma.fields.Nested(LinkSchema, metadata={"description": "The conference or workshop."})


def _link(opportunity) -> dict | None:
    if opportunity is None or opportunity.status.value == "removed":
        return None
    return {"id": opportunity.id, "title": opportunity.title}


def item_json(listed: queries.ListedItem) -> dict:
    item = listed.item
    body = {"id": item.id, "owner_id": item.owner_id, "kind": item.kind.value, "status": item.status.value,
            "title": item.title, "venue": item.venue, "published_on": item.published_on,
            "academic_year": item.academic_year, "volume": item.volume, "issue": item.issue, "pages": item.pages,
            "doi": item.doi, "pmid": item.pmid, "from_mentorship": item.mentorship_id is not None,
            "authors": [{"name": a.name, **({"member_id": a.member_id} if a.member_id else {})}
                        for a in listed.authors]}
    for name in ("collaboration", "presented_at"):
        link = _link(getattr(item, name))
        if link is not None:
            body[name] = link
    return body


@blp.route("")
@scope("read")
@blp.etag
@blp.arguments(RecordArgs, location="query")
@blp.response(200, ItemSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, description="A cursor that is not one we gave out.")
@blp.alt_response(404, description="No such member in the directory.")
def record(args):
    """A member's scholarly record, newest first (undated items first), as far as each item's owner lets you see it."""
    if db.session.scalar(visible_members().with_only_columns(User.id).where(User.id == args["member"])) is None:
        abort(404, NO_MEMBER)
    statement = queries.items_visible_to(current_user, args["member"]).options(*queries.LISTED_LINKS).order_by(None)
    page = keyset_page(db.session, statement, queries.NEWEST_FIRST, queries.sort_key, args)
    return [item_json(listed) for listed in queries.with_authors(page.items)], 200, page.headers


@blp.route("/<int:item_id>")
@scope("read")
@blp.etag
@blp.response(200, ItemSchema)
@blp.alt_response(404, description="No such item, or not one you may see.")
def item(item_id: int):
    """One scholarly item, if its owner lets you see it."""
    found = db.session.scalar(
        queries.visible_items(current_user).options(*queries.LISTED_LINKS).where(ScholarlyItem.id == item_id))
    if found is None:
        abort(404, NOT_FOUND)
    return item_json(queries.with_authors([found])[0])
