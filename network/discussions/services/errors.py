"""The domain errors of discussions: a service raises one when a rule refuses the action, and the route
shows ``str(error)`` to the member."""


class DiscussionError(Exception):
    """A domain rule refused the action; ``str(error)`` is for the member."""


class EditConflict(DiscussionError):
    """Someone saved the post since the editor opened it."""


class ThreadLocked(DiscussionError):
    """The thread takes no more replies: it is locked, or was removed."""


class AlreadyDone(DiscussionError):
    """Someone (another moderator, the member in another tab) did it first."""


class IdentifiersRefused(DiscussionError):
    """The text holds strong patient identifiers, which no confirmation can publish."""


class NotAnAnswer(DiscussionError):
    """The post cannot answer the thread: it is its opening post, another thread's, held or removed."""
