"""``/api/v1/members``: the directory (its words, filters and sorts, a keyset page at a time) and a member's
profile as the caller may see it.

Both read through the pages' own functions (``network.profiles.queries``: ``directory_keys`` is the directory's
statement with its order as keys, ``profile_view`` the profile page's read), so a member or a field the directory
or the profile page would not show the caller is not in the JSON either: a hidden field is absent, never null.
"""

from __future__ import annotations

import enum

import marshmallow as ma
from flask import abort
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page, ranked_page
from network.api.schemas import SingleLine
from network.extensions import db
from network.integers import DB_INT_MAX
from network.members.models import Role
from network.profiles import queries
from network.profiles.directory import (
    SORTS,
    Card,
    DirectoryQuery,
    card_rows_by_id,
    filter_choices,
    load_cards,
    word_search_ranking,
)
from network.profiles.forms import country_choices
from network.profiles.models import ROLE_FIELDS, AcademicRank, CareerGoal

blp = api_blueprint("members", __name__, "The member directory, and members' profiles as you may see them.")

NOT_FOUND = "There is no member with this id in the directory."
NOT_OFFERED = "Not one of the choices the directory offers (see /api/v1/taxonomy)."
#: The roles the directory's filter offers.
FILTER_ROLES = ("fellow", "alumni", "faculty")


def _term_id(description: str) -> ma.fields.Integer:
    return ma.fields.Integer(validate=ma.validate.Range(1, DB_INT_MAX),
                             metadata={"description": description})


class MemberFilterArgs(PageArgs):
    """The directory page's search form, field by field (``page`` aside: pages here are keyset pages)."""

    q = SingleLine(load_default="", validate=ma.validate.Length(max=200),
                   metadata={"description": "Words: name, headline, bio, institution or interests."})
    role = ma.fields.String(validate=ma.validate.OneOf(FILTER_ROLES))
    specialty = _term_id("A primary specialty: a term id of /api/v1/taxonomy/specialties.")
    background = _term_id("A training background: a term id of /api/v1/taxonomy/specialties.")
    interests = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(1, DB_INT_MAX)), load_default=list,
        validate=ma.validate.Length(max=50),
        metadata={"description": "Interests, all of them (repeat the parameter): term ids of "
                                 "/api/v1/taxonomy/interests."})
    country = ma.fields.String(validate=ma.validate.OneOf([choice.value for choice in country_choices()[1:]]),
                               metadata={"description": "ISO 3166-1 alpha-2; only members who let you see "
                                                        "their location are found by it."})
    region = SingleLine(load_default="", validate=ma.validate.Length(max=120),
                        metadata={"description": "State or region, whatever its case; as country."})
    setting = _term_id("A practice setting: a term id of /api/v1/taxonomy/practice-settings.")
    program = _term_id("A program's id: its members, in any of its cohorts.")
    cohort = _term_id("A cohort's id: its members.")
    graduated_from = ma.fields.Integer(validate=ma.validate.Range(1900, 2200))
    graduated_to = ma.fields.Integer(validate=ma.validate.Range(1900, 2200))
    accepting = ma.fields.Boolean(load_default=False, metadata={"description": "Only those open to mentoring."})
    sort = ma.fields.String(load_default="relevance", validate=ma.validate.OneOf(list(SORTS)),
                            metadata={"description": "relevance (best match for the words, else by name), "
                                                     "name, or active (recently active first)."})

    @ma.validates_schema
    def offered(self, data, **kwargs):
        """A term, program or cohort the page's form does not offer is refused, as the page refuses it."""
        asked = {name: data.get(name) for name in ("specialty", "background", "setting", "program", "cohort")}
        if not any(asked.values()) and not data.get("interests"):
            return
        choices = {name: {choice.value for choice in choices} for name, choices in filter_choices().items()}
        vocabulary = {"specialty": "specialty", "background": "specialty", "setting": "practice_setting",
                      "program": "program", "cohort": "cohort"}
        errors = {name: [NOT_OFFERED] for name, value in asked.items()
                  if value and value not in choices[vocabulary[name]]}
        if not set(data.get("interests") or ()) <= choices["interest"]:
            errors["interests"] = [NOT_OFFERED]
        if errors:
            raise ma.ValidationError(errors)


class MemberLocationSchema(ma.Schema):
    city = ma.fields.String(required=True)
    region = ma.fields.String(required=True)
    country = ma.fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2, or empty."})
    time_zone = ma.fields.String(required=True, metadata={"description": "An IANA time zone, or empty."})


class MemberProgramSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class MemberCohortSchema(ma.Schema):
    program = ma.fields.Nested(MemberProgramSchema, required=True)
    cohort = ma.fields.String(required=True, metadata={"description": "The cohort's name."})


class MemberCardSchema(ma.Schema):
    """A member as the directory lists them."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": [role.value for role in Role]})
    headline = ma.fields.String(required=True)
    accepting_mentees = ma.fields.Boolean(required=True)
    specialty = ma.fields.String(required=True, allow_none=True, metadata={"description": "The primary specialty."})
    background = ma.fields.String(required=True, allow_none=True, metadata={"description": "Training background."})
    institution = ma.fields.String(required=True)
    interests = ma.fields.List(ma.fields.String(), required=True)
    cohorts = ma.fields.List(ma.fields.Nested(MemberCohortSchema), required=True)
    connected = ma.fields.Boolean(required=True, metadata={
        "description": "In one of your programs, or your mentor or mentee: sees what they share with connections."})
    saved = ma.fields.Boolean(required=True, metadata={"description": "In your saved people."})
    location = ma.fields.Nested(MemberLocationSchema, metadata={
        "description": "Only when the member lets you see their location (absent otherwise)."})


class MemberSchema(MemberCardSchema):
    """A member's profile, as the profile page shows it to you: what the member does not let you see is absent."""

    bio = ma.fields.String(required=True, metadata={"description": "Markdown, as the member wrote it."})
    languages = ma.fields.String(required=True)
    certifications = ma.fields.List(ma.fields.String(), required=True,
                                    metadata={"description": "Board certifications."})
    career_goal = ma.fields.String(allow_none=True, metadata={
        "enum": [goal.value for goal in CareerGoal] + [None], "description": "Fellows only."})
    graduation_year = ma.fields.Integer(allow_none=True, metadata={"description": "Alumni only."})
    current_position = ma.fields.String(metadata={"description": "Alumni only."})
    practice_setting = ma.fields.String(allow_none=True, metadata={"description": "Alumni only."})
    title = ma.fields.String(metadata={"description": "Faculty only."})
    academic_rank = ma.fields.String(allow_none=True, metadata={
        "enum": [rank.value for rank in AcademicRank] + [None], "description": "Faculty only."})
    email = ma.fields.String(metadata={"description": "Only when the member lets you see it."})
    links = ma.fields.List(ma.fields.String(), metadata={"description": "Only when the member lets you see them."})


def card_json(card: Card) -> dict:
    """A card as JSON; its location only where ``load_cards`` kept it (the viewer may see it)."""
    item = {"id": card.id, "name": card.name, "role": card.role.value, "headline": card.headline,
            "accepting_mentees": card.accepting_mentees, "specialty": card.specialty, "background": card.background,
            "institution": card.institution, "interests": card.interests,
            "cohorts": [{"program": {"id": program.id, "name": program.name}, "cohort": cohort}
                        for program, cohort in card.cohorts],
            "connected": card.connected, "saved": card.saved}
    if card.location is not None:
        item["location"] = card.location._asdict()
    return item


def member_json(view: queries.ProfileView) -> dict:
    """A profile as JSON, with what ``show.html`` shows: the member's own role's fields, and the email and links
    only where ``profile_view`` says the viewer may see them."""
    member, card, shown = view
    item = {**card_json(card), "bio": member.bio or "", "languages": member.languages or "",
            "certifications": card.certifications}
    if member.profile_id is not None:
        for name in ROLE_FIELDS[member.role]:
            value = getattr(member, name.removesuffix("_id"))  # practice_setting_id: the setting's name
            item[name.removesuffix("_id")] = value.value if isinstance(value, enum.Enum) else value
    if shown["email"]:
        item["email"] = member.email
    if shown["links"]:
        item["links"] = list(member.links or [])
    return item


def _directory_query(args: dict) -> DirectoryQuery:
    return DirectoryQuery(
        q=args["q"], role=args.get("role"), specialty_id=args.get("specialty"), background_id=args.get("background"),
        interest_ids=args["interests"], country=args.get("country"), region=args["region"] or None,
        setting_id=args.get("setting"), program_id=args.get("program"), cohort_id=args.get("cohort"),
        graduated_from=args.get("graduated_from"), graduated_to=args.get("graduated_to"),
        accepting=args["accepting"], sort=args["sort"])


@blp.route("")
@scope("read")
@blp.etag
@blp.arguments(MemberFilterArgs, location="query")
@blp.response(200, MemberCardSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, response="BAD_REQUEST", description="A cursor that is not one we gave out.")
def members(args):
    """Find members: the directory's words, filters and sorts, a page at a time.

    The same members as the directory page for the same query, in the same order; the location filters find only
    members who let you see their location."""
    query = _directory_query(args)
    # (The index's version is read only for a word search, before its ranking: ``network.cache.cached``.)
    ranking = word_search_ranking(query, current_user.id)
    if ranking is not None:  # a plain word search: a slice of the ranking the page keeps, as the page does
        page = ranked_page(ranking, args)
        rows = card_rows_by_id(page.items)
    else:
        dialect = db.session.get_bind().dialect.name
        statement, keys = queries.directory_keys(query, current_user.id, dialect)
        page = keyset_page(db.session, statement, keys,
                           lambda row: [getattr(row, f"key_{n}") for n in range(len(keys))], args, scalars=False)
        rows = page.items
    return [card_json(card) for card in load_cards(rows, current_user.id)], 200, page.headers


@blp.route("/<int:member_id>")
@scope("read")
@blp.etag
@blp.response(200, MemberSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No such member in the directory.")
def member(member_id: int):
    """A member's profile, as far as they let you see it."""
    view = queries.profile_view(member_id, current_user.id)
    if view is None:
        abort(404, NOT_FOUND)
    return member_json(view)
