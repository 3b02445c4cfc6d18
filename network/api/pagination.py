"""Keyset pages for every list of the API: ``?limit=`` items after ``?cursor=``, the next page in ``Link``.

A cursor is the sort key of the last item sent, signed (so it cannot be edited into another query) and opaque to
clients. A keyset page costs the same on page 1 and page 1,000, and never repeats or skips an item when new ones
arrive between two pages, as ``OFFSET`` would.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import marshmallow as ma
from flask import abort, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
BAD_CURSOR = "This cursor is not one we gave out: start again without it, and follow the Link header's next page."

#: How ``@blp.response`` documents the header every list sends.
LINK_HEADER = {"Link": {"description": 'The next page, when there is one: <...>; rel="next" (RFC 8288).',
                        "schema": {"type": "string"}}}


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT),
                              metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(1, 512),
                              metadata={"description": "From the previous page's Link header."})


class Page(NamedTuple):
    items: list
    headers: dict


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def _decode(cursor: str, order) -> list:
    try:
        values = _serializer().loads(cursor)
    except BadSignature:
        abort(400, BAD_CURSOR)
    if not isinstance(values, list) or len(values) != len(order):
        abort(400, BAD_CURSOR)
    decoded = []
    for value, (column, _) in zip(values, order, strict=True):
        python_type = _python_type(column)
        if value is not None and python_type in (date, datetime):
            try:
                value = python_type.fromisoformat(value)
            except (TypeError, ValueError):  # a cursor of another sort of the same list
                abort(400, BAD_CURSOR)
        elif value is not None and python_type in (int, float, str) and not isinstance(value, python_type):
            abort(400, BAD_CURSOR)
        decoded.append(value)
    return decoded


def _python_type(column):
    """The Python type of the column's values: the app's ``UTCDateTime`` says so through the type it decorates
    (its own ``python_type`` is ``object``)."""
    try:
        return getattr(column.type, "impl_instance", column.type).python_type
    except NotImplementedError:
        return None


def _encode(values) -> str:
    return _serializer().dumps([v.isoformat() if isinstance(v, date) else v for v in values])


def _after(order, values):
    """Rows that sort after ``values`` in ``order``: (a, b) > (x, y) spelled out, each column in its direction."""
    alternatives = []
    for position, (column, descending) in enumerate(order):
        ties = [order[earlier][0] == values[earlier] for earlier in range(position)]
        beyond = column < values[position] if descending else column > values[position]
        alternatives.append(and_(*ties, beyond))
    return or_(*alternatives)


def keyset_page(session, statement, order, key, args, *, scalars: bool = True) -> Page:
    """One page of ``statement`` sorted by ``order`` (``[(column, descending)]``, ending with a unique column),
    ``key(item)`` being an item's values of those columns. The statement's other conditions stay as they are."""
    limit = args["limit"]
    if args.get("cursor"):
        statement = statement.where(_after(order, _decode(args["cursor"], order)))
    statement = statement.order_by(*(column.desc() if descending else column.asc() for column, descending in order))
    result = session.execute(statement.limit(limit + 1))
    rows = list(result.scalars() if scalars else result)
    headers = {}
    if len(rows) > limit:
        rows = rows[:limit]
        # Every value of a repeated argument (``?kind=job&kind=locum``) goes on to the next page.
        query = {**request.args.to_dict(flat=False), "cursor": _encode(key(rows[-1]))}
        headers["Link"] = f'<{url_for(request.endpoint, **(request.view_args or {}), **query)}>; rel="next"'
    return Page(rows, headers)
