"""Discussion threads: categories, threads, posts, moderation, subscriptions, unread tracking and search.

- ``models``: Category (visibility: all members, one cohort, faculty only; "case discussions" hold
  likely patient identifiers), Thread (denormalised post count and last post, so lists need no
  aggregate over posts), Post (markdown source plus sanitised HTML rendered once on save, a
  ``version`` column for optimistic concurrency, soft removal), PostRevision, Subscription,
  ReadMark (last read post per member and thread), Flag.
- ``phi``: the pure patient-identifier guard; ``rendering``: a post's text as HTML with its ``@Name``
  mentions linked; ``search``: FTS5 / tsvector kept in sync by the app.
- ``queries``: what the pages read (the categories with their counts, keyset pages of threads and posts,
  the reader's mark and subscription, the moderation queue, the home page's latest threads, the Latest and
  Unread feeds and the navigation's ``unread_thread_count``); ``feeds``: which threads a feed keeps (its
  filter, as the SQL the feed pages, the count and "Mark all read" share).
- ``services``: every change (no commits), a module per job: ``categories``, ``posting``, ``publishing``
  (counts and notifications when a post becomes visible), ``editing``, ``removal``, ``review`` (the
  patient-identifier review), ``flags``, ``moderation``, ``subscriptions``, and their ``errors``. Who sees
  and moderates what is ``network.permissions``' (its yes/no rules and, next to each, the SQL condition
  the lists, search and notifications use), so they agree with the 404s of the routes.
- ``email_replies``: reply by email (signed reply addresses in notification mails, ``flask mail receive`` and
  ``flask mail listen`` in ``cli``, posting through the reply service or answering why not).
- ``routes``: the ``discussions`` blueprint, a module per page group (``feeds``, ``reading``, ``writing``,
  ``removal``, ``moderation``, ``categories``; ``loading`` for the 404s and 403s); ``forms``: the forms
  and the length limits of a title and a post; ``demo``: seeding for ``flask demo``.

Posts are paged by id (keyset), never by OFFSET. Posting is rate-limited per member
(``POST_RATE_LIMIT`` in ``Config``; previews are free): ``limits`` holds the two allowances (threads,
replies), which the pages and the JSON API (``network.api.resources.discussions*``) share.
"""
