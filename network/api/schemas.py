"""Fields and small schemas every part of the API shares: times in UTC, texts taken as the pages' forms take them,
the patient-identifier check of free text, a member as others see them, and how an error is documented."""

from __future__ import annotations

from datetime import UTC

import flask_smorest
import marshmallow as ma

from network.api.spec import PROBLEM_CONTENT_TYPE, ProblemSchema
from network.forms import strip, strip_text
from network.text import phi_guard

#: How an operation documents an error it can answer: ``@blp.alt_response(404, **PROBLEM, description=...)``.
PROBLEM = {"schema": ProblemSchema, "content_type": PROBLEM_CONTENT_TYPE}


class UTCDateTime(ma.fields.AwareDateTime):
    """ISO 8601 in UTC with a ``Z`` (``2026-12-03T07:05:00Z``); a time sent without a zone is taken as UTC."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class MemberRef(ma.Schema):
    """A member named in something else (an author, a mentor): what anyone who sees that thing may see."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


def _storable(text: str) -> str:
    """Refuse what no database can store: a lone surrogate (a ``\\ud800`` escape in the JSON)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ma.ValidationError("Send text as UTF-8: this holds a lone surrogate.") from exc
    return text


class SingleLine(ma.fields.String):
    """A one-line text, as the pages' forms take it: trimmed, line breaks and control characters folded."""

    def _deserialize(self, value, attr, data, **kwargs):
        return strip(_storable(super()._deserialize(value, attr, data, **kwargs)))


class Text(ma.fields.String):
    """A multi-line text, as the pages' forms take it: trimmed, control characters other than breaks dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        return strip_text(_storable(super()._deserialize(value, attr, data, **kwargs)))


def choice(values, **kwargs):
    """A string field that takes one of ``values`` (documented as the enum)."""
    return ma.fields.String(validate=ma.validate.OneOf([str(v) for v in values]), **kwargs)


#: What a body with free text may add, as the pages' "I checked" box does.
CONFIRM_NO_PHI = ma.fields.Boolean(load_default=False, metadata={
    "description": "Send true to confirm that text flagged as possibly identifying a patient does not. Strong "
                   "identifiers (a named patient, a record number, a date of birth) are refused whatever this says."})


def refuse_patient_identifiers(body: dict, *names: str) -> None:
    """A 422 naming each field whose text looks like it identifies a patient, as the pages' forms refuse it
    (``network.forms.PhiGuarded``): strong identifiers always, weaker ones unless ``confirm_no_phi``."""
    found = phi_guard.check(*(body.get(name) for name in names))
    if phi_guard.blocks(found, body.get("confirm_no_phi", False)):
        flagged = [name for name in names if phi_guard.check(body.get(name))]
        flask_smorest.abort(422, messages={"json": {name: [found.message] for name in flagged}})


def present(**fields) -> dict:
    """``fields`` without the ones that have no value: a client sees a key only when there is something in it."""
    return {name: value for name, value in fields.items() if value is not None}
