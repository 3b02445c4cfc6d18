"""What members and moderators change in discussions, one module per job. Services add and flush, raise the
domain errors of ``errors`` and never commit; routes check permissions first and commit once. What pages
read is in ``network.discussions.queries``.

- ``errors``: the domain errors, whose text the routes show the member.
- ``categories``: creating, changing, ordering and deleting categories; every cohort's private category.
- ``posting``: starting a thread and replying, a post with likely patient identifiers held for review.
- ``publishing``: a post becoming visible (the thread's counts, mentioned members and watchers notified),
  and the notices that follow a moderator's decision.
- ``editing``: a new text for a post, the old one kept as a revision.
- ``removal``: an author deleting or a moderator removing a post, and undoing it.
- ``review``: the patient-identifier review: what the guard says of a draft (``check_draft``, for the pages
  and the API alike), which posts wait, approving them, redacting identifiers.
- ``flags``: flagging a post for the moderators, and resolving the flag.
- ``moderation``: pinning, locking and moving threads.
- ``subscriptions``: watching and muting threads, and how far each member has read.
- ``reactions``: marking a post helpful and taking it back; ``answers``: a thread's accepted answer.
"""
