"""The access policy as data: every area lists its routes in ``tests/matrix/<area>.py`` as ``ROUTES``.

Each row is ``(endpoint, method): (URL arguments, {role: status code or "→/redirect/path"})``.
A URL argument ``"@name"`` is replaced by ``prepare(app, people, make_user)["name"]``, from
the area modules that define a ``prepare`` hook (``people`` maps each role to its member);
POSTs send an empty form (CSRF is tested on its own in test_csrf.py).
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.matrix.common import ROLES

MATRIX: dict = {}
#: (endpoint, method) -> the ``prepare`` hook of the area that lists the route (only it runs).
PREPARERS: dict = {}
for _module in pkgutil.iter_modules(__path__):
    if _module.name == "common":
        continue
    _area = importlib.import_module(f"{__name__}.{_module.name}")
    _rows = _area.ROUTES
    _overlap = MATRIX.keys() & _rows.keys()
    assert not _overlap, f"routes listed twice: {_overlap}"
    MATRIX.update(_rows)
    if hasattr(_area, "prepare"):
        PREPARERS.update(dict.fromkeys(_rows, _area.prepare))

__all__ = ["MATRIX", "PREPARERS", "ROLES"]
