"""Keyset pages for every list of the API: ``?limit=`` items after ``?cursor=``, the next page in ``Link``.

A cursor is the sort key of the last item sent, signed (so it cannot be edited into another query) and opaque to
clients. A keyset page costs the same on page 1 and page 1,000, and never repeats or skips an item when new ones
arrive between two pages, as ``OFFSET`` would.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import NamedTuple
from urllib.parse import quote, urlencode

import marshmallow as ma
from flask import abort, current_app, request
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


def _serializer(salt: str = "api-cursor") -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _decode(cursor: str, order) -> list:
    """The sort key in ``cursor``, each value of its column's type: a cursor of another list (signed alike, but
    sorted on other columns) is refused as one we did not give out, never sent to the database to fail there."""
    try:
        values = _serializer().loads(cursor)
    except BadSignature:
        abort(400, BAD_CURSOR)
    if not isinstance(values, list) or len(values) != len(order):
        abort(400, BAD_CURSOR)
    return [_typed(value, column) for value, (column, _) in zip(values, order, strict=True)]


def _typed(value, column):
    """``value`` as ``column`` holds it: a time or date from its ISO text, an enum from its value; a value of
    another type than the column's is a cursor we did not give out (400)."""
    try:  # a TypeDecorator (``UTCDateTime``) says ``object``: the type it stores says more
        kind = getattr(column.type, "impl_instance", column.type).python_type
    except NotImplementedError:  # a type that does not say: its values go as they came
        return value
    if value is None or kind is object:
        return value
    try:
        if kind in (date, datetime) and isinstance(value, str):
            return kind.fromisoformat(value)
        if issubclass(kind, enum.Enum):
            return kind(value)
    except ValueError:
        abort(400, BAD_CURSOR)
    numbers = (bool, int, float)  # a flag sorted as 0/1, a score as a whole number: the database compares them
    if isinstance(value, kind) or (kind in numbers and isinstance(value, numbers)):
        return value
    abort(400, BAD_CURSOR)


def _encode(values) -> str:
    return _serializer().dumps([v.isoformat() if isinstance(v, date) else v for v in values])


def _next_url(cursor: str) -> str:
    """This request's URL with ``cursor`` in place of its own: every other parameter as sent, repeated ones (a
    filter of several values) included, whatever their names."""
    query = request.args.copy()
    query["cursor"] = cursor
    return f"{quote(request.script_root + request.path)}?{urlencode(list(query.items(multi=True)))}"


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
        headers["Link"] = f'<{_next_url(_encode(key(rows[-1])))}>; rel="next"'
    return Page(rows, headers)


#: The salt of a cursor into a kept ranking (``ranked_page``): signed apart, it is never read as a keyset cursor
#: (whose values it could otherwise pass for), nor a keyset cursor as one of these.
RANKED = "api-ranking-cursor"


def ranked_page(ids: list[int], args) -> Page:
    """One page of ``ids``, a ranking kept whole (the directory's word search, ranked once per version of the
    index): the cursor names the last id sent and the next page starts after it in the ranking. An id no longer
    in it (the member left the directory) is a cursor to start again from (400)."""
    limit, start = args["limit"], 0
    if args.get("cursor"):
        try:
            last = _serializer(RANKED).loads(args["cursor"])
        except BadSignature:
            abort(400, BAD_CURSOR)
        if type(last) is not int:
            abort(400, BAD_CURSOR)
        try:
            start = ids.index(last) + 1
        except ValueError:
            abort(400, BAD_CURSOR)
    page = ids[start:start + limit]
    headers = {}
    if start + limit < len(ids):
        headers["Link"] = f'<{_next_url(_serializer(RANKED).dumps(page[-1]))}>; rel="next"'
    return Page(page, headers)
