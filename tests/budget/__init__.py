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

How the test calls a hook (so that 139 pages cost ten databases, not 139): the pages that share an area's
``prepare`` hook in tests/matrix (and, as one more group, the pages without one) share a database. For each
group the test makes ``people`` and runs that ``prepare`` once (``named`` holds what it made), calls every hook
with ``count=5``, counts each page of the group, calls every hook again on the same ``named`` with
``count=495``, and counts each page again. So a hook:

- runs twice per database, not once per page: it grows what every page of the group shows, and finds the
  objects it grows in ``named`` (put there by ``prepare`` or by its own first call), never by a fixed id;
- only adds rows: it does not delete or change rows that other pages of the group show;
- returns without adding anything when the ``named`` objects it needs are missing (another area's group).
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
