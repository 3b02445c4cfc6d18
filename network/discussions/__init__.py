"""Discussion threads: categories, threads, posts, moderation, subscriptions, unread tracking and search.

- ``models``: Category (visibility: all members, one cohort, faculty only; "case discussions" hold
  likely patient identifiers), Thread (denormalised post count and last post, so lists need no
  aggregate over posts), Post (markdown source plus sanitised HTML rendered once on save, a
  ``version`` column for optimistic concurrency, soft removal), PostRevision, Subscription,
  ReadMark (last read post per member and thread), Flag.
- ``phi``: the pure patient-identifier guard; ``search``: FTS5 / tsvector kept in sync by the app.
- ``services``: every change (no commits). Who sees and moderates what is ``network.permissions``'
  (its yes/no rules and, next to each, the SQL condition the lists, search and notifications use), so
  they agree with the 404s of the routes.
- ``routes``: the ``discussions`` blueprint; ``demo``: seeding for ``flask demo``.

Posts are paged by id (keyset), never by OFFSET. Posting is rate-limited per member
(``POST_RATE_LIMIT`` in ``Config``; previews are free).
"""
