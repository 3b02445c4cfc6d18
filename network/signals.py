"""What a lower area announces so that a higher one can act on it, without the lower one importing it.

Areas talk downward (``tests/test_import_layers.py``). When something happens in a lower area that a
higher area must follow up (a new class needs its discussion category), the lower area sends one of these
signals and the higher area connects a receiver at import time, next to the code it runs, as Indico does with
``indico/core/signals``. Receivers run in the sender's transaction: like services they add and flush, and
never commit.

Each signal's sender is the object it is about; the docstring says who sends it and who listens.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

cohort_created = _signals.signal("cohort-created", doc="""
A class was added to a program (``programs.services.create_cohort``), flushed, sender the ``Cohort``.
Discussions open the class's private category.""")

account_deleted = _signals.signal("account-deleted", doc="""
A member deleted their account (``profiles.services.delete_account``), before their personal data is erased,
sender the ``User``. Institutional sign-in drops their linked identities (the provider's id for them and the
email it gave), and the API their personal access tokens, so none of it outlives the account.""")
