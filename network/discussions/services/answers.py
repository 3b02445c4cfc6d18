"""A thread's accepted answer: its author or a moderator marks one reply, or unmarks it. Each change is in the
audit log; the reply's author is told when their reply becomes the answer. Removing the post unmarks it
(``services.removal``)."""

from __future__ import annotations

from network import permissions
from network.audit.models import record
from network.discussions.models import Post, Thread
from network.discussions.services.errors import AlreadyDone, NotAnAnswer
from network.discussions.services.publishing import thread_link
from network.extensions import db
from network.members.models import User
from network.notifications.services import notify_members
from network.text.phi import without_phi


def mark_answer(actor: User, thread: Thread, post: Post) -> None:
    """Accept ``post`` as the answer to ``thread`` (in place of any earlier one); its author is told."""
    if not permissions.can_be_answer(post, thread):
        raise NotAnAnswer("Only a published reply in this thread can be its answer.")
    if thread.answer_post_id == post.id:
        raise AlreadyDone("This reply is already the answer.")
    record(actor.id, "thread.answer", "thread", thread.id, post_id=post.id, previous_post_id=thread.answer_post_id,
           author_id=post.author_id)
    thread.answer_post_id = post.id
    if post.author_id != actor.id:
        author = db.session.get(User, post.author_id)
        title = f"Your reply was accepted as the answer in “{without_phi(thread.title)}”"
        notify_members([author], "discussion-answer", title, thread_link(thread, post), target_type="thread",
                       target_id=thread.id, mail_subject=title, mail_template="discussion_answer", thread=thread,
                       actor=actor)


def unmark_answer(actor: User, thread: Thread) -> None:
    """The thread has no accepted answer any more."""
    if thread.answer_post_id is None:
        raise AlreadyDone("This thread has no accepted answer.")
    record(actor.id, "thread.unanswer", "thread", thread.id, post_id=thread.answer_post_id)
    thread.answer_post_id = None
