"""What each role's token may do, as data: every family lists its operations in ``tests/api/matrix/<family>.py``.

Each row is ``(endpoint, method): (URL arguments, JSON body or None, {role: status})`` for the roles in
``GRANTED_ROLES``; a URL argument or a body value ``"@name"`` is replaced by ``prepare(app, people, make_user)["name"]``
from the family's module (``people`` maps each role of ``tests/matrix/common.ROLES`` to its member). The body is a
valid one, so a refusal is about who asks, not what they sent. The roles ask in the order of ``GRANTED_ROLES``, one
after another on the same data (a second acceptance of one request is a 409).

Besides the rows, every operation is asked by three callers whose answer never varies
(``tests/api/test_api_matrix.py``): no token (401), a pending member's token (403) and a token with every scope but
the one the operation needs (403, before anything is read).
"""

from __future__ import annotations

import importlib
import pkgutil

#: The roles a row lists: verified members, including faculty who used to run the prepared objects' program
#: (``ex_staff``) and staff of another program (``other_staff``).
GRANTED_ROLES = ("fellow", "alumni", "faculty", "ex_staff", "other_staff", "admin")

MATRIX: dict = {}
PREPARERS: dict = {}
for _module in pkgutil.iter_modules(__path__):
    _family = importlib.import_module(f"{__name__}.{_module.name}")
    _overlap = MATRIX.keys() & _family.ROUTES.keys()
    assert not _overlap, f"operations listed twice: {_overlap}"
    MATRIX.update(_family.ROUTES)
    if hasattr(_family, "prepare"):
        PREPARERS.update(dict.fromkeys(_family.ROUTES, _family.prepare))
