"""Per-area "populate N rows" hooks for tests/test_every_page_budget.py.

Each module ``tests/budget/<blueprint name>.py`` (one per feature area, named like the blueprint whose
pages it fills) defines::

    def populate(app, people, named, count):
        '''Add ``count`` more rows of everything this area's pages list; record the ids the pages need
        in ``named`` (the first call creates the objects, later calls grow them).'''

    ARGUMENTS = {"area.endpoint": {"url_argument": "name in named"}}   # optional: use the grown objects
    VIEWERS = {"area.endpoint": "fellow"}                             # optional: who looks at the page

``people`` maps each role to a member (``tests.conftest.Member``). Every hook runs for every page, so a
page sees 5 and then 500 rows of everything (a home page gathers several areas).
"""

from __future__ import annotations

import importlib
import pkgutil

HOOKS: dict = {}
ARGUMENTS: dict = {}
VIEWERS: dict = {}
for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("_"):
        continue
    _area = importlib.import_module(f"{__name__}.{_module.name}")
    HOOKS[_module.name] = _area.populate
    ARGUMENTS.update(getattr(_area, "ARGUMENTS", {}))
    VIEWERS.update(getattr(_area, "VIEWERS", {}))

__all__ = ["ARGUMENTS", "HOOKS", "VIEWERS"]
