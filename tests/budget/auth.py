"""Account pages list nothing that grows with the network: the member's own settings only. The other
areas' hooks still fill 5 then 500 rows of everything around them."""

from __future__ import annotations


def populate(app, people, named, count):
    return None
