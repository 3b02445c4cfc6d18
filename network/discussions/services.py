"""What members and moderators do in discussions. Services add and flush, raise domain errors and
never commit; routes check permissions first and commit once."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape as html_escape
from types import SimpleNamespace

from flask import current_app, url_for
from sqlalchemy import Integer, and_, bindparam, case, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.exc import StaleDataError

from network import permissions
from network.audit.models import record
from network.confirmation import UNDO_WINDOW, within_undo_window
from network.database import prebuilt
from network.discussions.models import (
    Category,
    CategoryVisibility,
    Flag,
    Post,
    PostRevision,
    ReadMark,
    Subscription,
    SubscriptionLevel,
    Thread,
)
from network.discussions.phi import Match, any_strong, find_phi
from network.extensions import db
from network.mail.models import EmailOutbox
from network.members.models import MemberStatus, Role, User
from network.notifications.models import Notification
from network.notifications.services import forget_unread_counts, notify, notify_members, withdraw
from network.programs.models import Cohort, Program
from network.signals import cohort_created
from network.text.markdown import render_markdown
from network.text.phi import redact, without_phi
from network.text.slugs import slugify
from network.types import utcnow

log = logging.getLogger(__name__)

MAX_POST_LENGTH = 20_000
MAX_TITLE_LENGTH = 200
POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30


class DiscussionError(Exception):
    """A domain rule refused the action; ``str(error)`` is for the member."""


class EditConflict(DiscussionError):
    """Someone saved the post since the editor opened it."""


class ThreadLocked(DiscussionError):
    pass


class AlreadyDone(DiscussionError):
    pass


class IdentifiersRefused(DiscussionError):
    """The text holds strong patient identifiers, which no confirmation can publish."""


#: The reason of the queue entry a post gets when its author confirmed its possible identifiers.
AUTHOR_CONFIRMED = "The author confirmed that the highlighted text identifies no patient"
#: What replaces a redacted identifier, everywhere the text is stored.
REMOVED = "[removed]"


def must_hold(category: Category, matches: list[Match]) -> bool:
    """Strong identifiers wait for a moderator in every category; in a case-discussion category, any match."""
    return any_strong(matches) or bool(category.holds_phi_matches and matches)


def _kinds(matches) -> list[str]:
    return sorted({match.kind for match in matches})


# -- categories ---------------------------------------------------------------

def _unique_slug(name: str, exclude_id: int | None = None) -> str:
    base = slugify(name, 70, "category")
    slug, n = base, 2
    while True:
        clash = db.session.scalar(select(Category.id).where(Category.slug == slug))
        if clash is None or clash == exclude_id:
            return slug
        slug, n = f"{base}-{n}", n + 1


def save_category(actor: User | None, category: Category | None, *, name: str, description: str,
                  visibility: CategoryVisibility, cohort_id: int | None, holds_phi_matches: bool) -> Category:
    """Create or change a category (admins)."""
    if visibility != CategoryVisibility.COHORT:
        cohort_id = None
    elif cohort_id is None:
        raise DiscussionError("Choose the cohort that may see this category.")
    if cohort_id is not None:
        other = db.session.scalar(select(Category.id).where(Category.cohort_id == cohort_id))
        if other is not None and (category is None or other != category.id):
            raise DiscussionError("That cohort already has its private category.")
    created = category is None
    narrowed = not created and (category.visibility, category.cohort_id) != (visibility, cohort_id)
    if created:
        position = db.session.scalar(select(func.coalesce(func.max(Category.position), 0))) + 1
        category = Category(slug=_unique_slug(name), position=position)
        db.session.add(category)
    category.name, category.description = name, description
    category.visibility, category.cohort_id, category.holds_phi_matches = visibility, cohort_id, holds_phi_matches
    db.session.flush()
    record(actor.id if actor else None, "category.create" if created else "category.update", "category",
           category.id, name=name, visibility=str(visibility), cohort_id=cohort_id)
    if narrowed:
        for thread in db.session.scalars(select(Thread).where(Thread.category_id == category.id)):
            _withdraw_unseen_notifications(thread)
    return category


def move_category(actor: User, category: Category, direction: int) -> None:
    """Swap a category with its neighbour above (-1) or below (+1)."""
    ordered = list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))
    index = ordered.index(category)
    other = index + direction
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    record(actor.id, "category.reorder", "category", category.id, direction=direction)


def delete_category(actor: User, category: Category) -> None:
    if db.session.scalar(select(func.count()).select_from(Thread).where(Thread.category_id == category.id)):
        raise DiscussionError("Only an empty category can be deleted: move its threads first.")
    record(actor.id, "category.delete", "category", category.id, name=category.name)
    db.session.delete(category)


def ensure_cohort_categories() -> int:
    """Give every cohort its private category; returns how many were created."""
    missing = db.session.execute(
        select(Cohort, Program).join(Program, Program.id == Cohort.program_id)
        .where(~select(Category.id).where(Category.cohort_id == Cohort.id).exists())
        .order_by(Cohort.id)
    ).all()
    for cohort, program in missing:
        save_category(None, None, name=f"{program.name}: {cohort.name}",
                      description=f"Private to the fellows and faculty of {program.name}, {cohort.name}.",
                      visibility=CategoryVisibility.COHORT, cohort_id=cohort.id, holds_phi_matches=False)
    return len(missing)


@cohort_created.connect
def _open_cohort_category(cohort: Cohort, **_) -> None:
    """A new class gets its private discussion category at once."""
    ensure_cohort_categories()


@dataclass
class CategorySummary:
    category: Category
    threads: int
    posts: int
    unread_threads: int
    last_post_at: datetime | None


def category_summaries(user) -> list[CategorySummary]:
    """The categories ``user`` sees with counts and unread threads: two queries however many posts."""
    categories = db.session.scalars(select(Category).where(permissions.visible_categories(user, Category))
                                    .order_by(Category.position, Category.id)).all()
    mark = ReadMark.last_read_post_id
    stats = db.session.execute(
        select(Thread.category_id, func.count(Thread.id), func.coalesce(func.sum(Thread.post_count), 0),
               func.sum(case((Thread.last_post_id > func.coalesce(mark, 0), 1), else_=0)),
               func.max(Thread.last_post_at))
        .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.user_id == user.id))
        .where(Thread.category_id.in_([c.id for c in categories]),
               or_(Thread.held.is_(False), Thread.author_id == user.id))
        .group_by(Thread.category_id)
    ).all() if categories else []
    by_id = {row[0]: row[1:] for row in stats}
    return [CategorySummary(c, *(by_id.get(c.id) or (0, 0, 0, None))) for c in categories]


# -- threads ------------------------------------------------------------------

@dataclass
class ThreadRow:
    thread: Thread
    unread: int
    last_read_post_id: int | None


def thread_rows(user, category: Category, before: tuple[datetime, int] | None = None,
                limit: int = THREADS_PER_PAGE) -> tuple[list[ThreadRow], tuple[datetime, int] | None]:
    """A page of a category's threads, pinned first on the first page, then newest activity first.
    Keyset-paginated on (last_post_at, id); returns the rows and the cursor of the next page."""
    visible = or_(Thread.held.is_(False), Thread.author_id == user.id)
    if permissions.can_moderate(user, category):
        visible = true()
    base = (select(Thread, ReadMark.last_read_post_id)
            .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.user_id == user.id))
            .options(joinedload(Thread.author))
            .where(Thread.category_id == category.id, visible))
    rows = []
    if before is None:
        rows += db.session.execute(base.where(Thread.pinned.is_(True))
                                   .order_by(Thread.last_post_at.desc(), Thread.id.desc())).all()
        page = base.where(Thread.pinned.is_(False))
    else:
        at, thread_id = before
        page = base.where(Thread.pinned.is_(False), or_(Thread.last_post_at < at,
                                                         and_(Thread.last_post_at == at, Thread.id < thread_id)))
    unpinned = db.session.execute(page.order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(limit + 1)).all()
    cursor = None
    if len(unpinned) > limit:
        unpinned = unpinned[:limit]
        last = unpinned[-1][0]
        cursor = (last.last_post_at, last.id)
    rows += unpinned
    return _with_unread(user, rows), cursor


def _with_unread(user, rows) -> list[ThreadRow]:
    """Unread counts for threads the member has read before: one grouped query over the page."""
    marked = {thread.id: mark for thread, mark in rows if mark is not None and thread.last_post_id
              and thread.last_post_id > mark}
    counts = {}
    if marked:
        counts = dict(db.session.execute(
            select(Post.thread_id, func.count())
            .join(ReadMark, and_(ReadMark.thread_id == Post.thread_id, ReadMark.user_id == user.id))
            .where(Post.thread_id.in_(list(marked)), Post.id > ReadMark.last_read_post_id,
                   Post.held.is_(False))
            .group_by(Post.thread_id)).all())
    result = []
    for thread, mark in rows:
        unread = thread.post_count if mark is None else counts.get(thread.id, 0)
        result.append(ThreadRow(thread, unread, mark))
    return result


def render_body(body: str) -> tuple[str, list[User]]:
    """Sanitised HTML for a post, with ``@Name`` mentions of members linked; and the members mentioned."""
    body = body.replace("\r\n", "\n")
    mentioned = _resolve_mentions(body)
    if mentioned:
        def link(match: re.Match) -> str:
            words = match.group(1).split(" ")
            for n in range(len(words), 0, -1):
                user = mentioned.get(" ".join(words[:n]).lower())
                if user is not None:
                    rest = " ".join(words[n:])
                    name = " ".join(words[:n])
                    return (f"[@{name}]({_profile_path(user.id)})"
                            + (" " + rest if rest else ""))
            return match.group(0)

        body = _outside_code(body, lambda chunk: MENTION.sub(link, chunk))
    html = str(render_markdown(body))
    return html, list({u.id: u for u in mentioned.values()}.values())


def _profile_path(user_id: int) -> str:
    """The profile page's path, with or without a request (the demo seeds from the command line)."""
    return current_app.url_map.bind("localhost").build("profiles.show", {"user_id": user_id})


MENTION = re.compile(r"(?<![\w@/\[])@([A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,3})")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)


def _outside_code(text: str, change) -> str:
    parts = _CODE.split(text)
    return "".join(part if index % 2 else change(part) for index, part in enumerate(parts))


def _resolve_mentions(body: str) -> dict[str, User]:
    """``{lower-case written name: member}`` for the mentions in ``body``, in one query."""
    written = set()
    for chunk in _CODE.split(body)[::2]:
        for match in MENTION.finditer(chunk):
            words = match.group(1).rstrip(".").split(" ")
            for n in range(1, len(words) + 1):
                written.add(" ".join(words[:n]).rstrip(".,").lower())
    if not written:
        return {}
    candidates = written | {"dr. " + name for name in written}
    users = db.session.scalars(select(User).where(func.lower(User.name).in_(candidates),
                                                  User.status == MemberStatus.VERIFIED)).all()
    found = {}
    for user in users:
        lower = user.name.lower()
        key = lower[4:] if lower.startswith("dr. ") and lower not in written else lower
        found.setdefault(key, user)
    return found


def _thread_link(thread: Thread, post: Post | None = None) -> str:
    if post is None:
        return url_for("discussions.thread", thread_id=thread.id)
    return url_for("discussions.show_post", post_id=post.id)


def start_thread(author: User, category: Category, title: str, body: str,
                 submission_key: str | None = None) -> tuple[Thread, Post]:
    """Open a thread; in a case-discussion category a draft with likely identifiers waits for a moderator.
    The same form sent twice fails on its opening post's unique submission key (IntegrityError)."""
    matches = find_phi(title + "\n" + body)
    held = must_hold(category, matches)
    now = utcnow()
    thread = Thread(category=category, author_id=author.id, title=title, created_at=now, last_post_at=now,
                    post_count=0 if held else 1, held=held)
    db.session.add(thread)
    db.session.flush()
    post = _add_post(author, thread, body, held, now, submission_key)
    thread.first_post_id = post.id
    if not held:
        thread.last_post_id = post.id
    _follow(author.id, thread.id, post.id)
    if held:
        record(author.id, "post.hold", "post", post.id, thread_id=thread.id, reason="possible patient identifiers",
               kinds=_kinds(matches))
    else:
        _notify_mentions(post, thread, author, mentioned=post._mentioned)
        if matches:
            _ask_for_a_look(author, post, matches)
    return thread, post


def _add_post(author: User, thread: Thread, body: str, held: bool, now: datetime,
              submission_key: str | None = None) -> Post:
    """Add the post and flush it, so it has its id. A second post with the same submission key (the form
    sent twice) fails here, on the unique key."""
    html, mentioned = render_body(body)
    post = Post(thread_id=thread.id, author_id=author.id, body=body, body_html=html, created_at=now, held=held,
                submission_key=submission_key or None)
    db.session.add(post)
    db.session.flush()
    post._mentioned = mentioned
    return post


def sent_before(author_id: int, submission_key: str | None) -> Post | None:
    """The post a reply or new-thread form with this key already made (the form sent twice), if any."""
    if not submission_key:
        return None
    return db.session.scalar(select(Post).where(Post.author_id == author_id, Post.submission_key == submission_key))


def reply(author: User, thread: Thread, body: str, submission_key: str | None = None) -> Post:
    """Add a reply; subscribers and mentioned members are notified (unless it waits for a moderator)."""
    if thread.removed_at is not None:
        raise ThreadLocked("This thread was removed: it takes no more replies.")
    if thread.locked and not permissions.can_moderate(author, thread.category):
        raise ThreadLocked("This thread is locked: it takes no more replies.")
    matches = find_phi(body)
    held = must_hold(thread.category, matches)
    now = utcnow()
    post = _add_post(author, thread, body, held, now, submission_key)
    _follow(author.id, thread.id, post.id)
    if held:
        record(author.id, "post.hold", "post", post.id, thread_id=thread.id, reason="possible patient identifiers",
               kinds=_kinds(matches))
        return post
    _publish(post, thread, now)
    if matches:
        _ask_for_a_look(author, post, matches)
    return post


def _ask_for_a_look(author: User, post: Post, matches: list[Match]) -> None:
    """A published post with weaker identifiers its author confirmed: it enters the moderation queue
    (once while the entry is open) so a moderator looks at the highlighted text."""
    waiting = db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.reporter_id == author.id,
                                                      Flag.resolved_at.is_(None)))
    if waiting is None:
        db.session.add(Flag(post_id=post.id, reporter_id=author.id, reason=AUTHOR_CONFIRMED))
    record(author.id, "post.phi-confirm", "post", post.id, thread_id=post.thread_id, kinds=_kinds(matches))


def _publish(post: Post, thread: Thread, now: datetime) -> None:
    """A post becomes visible: counts, index, notifications."""
    db.session.connection().execute(_count_post_statement(), {"thread": thread.id, "post": post.id, "now": now})
    # The counters are read again only if something asks for them (a reply's redirect does not).
    db.session.expire(thread, ["post_count", "last_post_at", "last_post_id"])
    if thread.held:
        return  # nobody else sees the thread yet: notify when its opening post is approved
    author = db.session.get(User, post.author_id)
    mentioned = getattr(post, "_mentioned", None)
    if mentioned is None:
        mentioned = render_body(post.body)[1]
    notified = _notify_mentions(post, thread, author, mentioned)
    _notify_subscribers(post, thread, author, skip=notified)


def _notify_mentions(post: Post, thread: Thread, author: User, mentioned: list[User]) -> set[int]:
    targets = permissions.who_can_view_category([u for u in mentioned if u.id != author.id], thread.category)
    if targets:
        title = without_phi(thread.title)
        notify_members(targets, "discussion-mention", f"{author.name} mentioned you in “{title}”",
                       _thread_link(thread, post), target_type="thread", target_id=thread.id,
                       mail_subject=f"{author.name} mentioned you in “{title}”",
                       mail_template="discussion_post", author=author, thread=thread, post_text=without_phi(post.body))
    return {u.id for u in targets}


def _notify_subscribers(post: Post, thread: Thread, author: User, skip: set[int]) -> None:
    ids = set(db.session.connection().execute(_watchers_statement(), {"thread": thread.id}).scalars())
    ids -= skip | {author.id}
    if not ids:
        return  # (most replies: nobody else watches, or the mentions reached them)
    watchers = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()
    targets = permissions.who_can_view_category(watchers, thread.category)
    if targets:
        title = without_phi(thread.title)
        notify_members(targets, "discussion-reply", f"{author.name} replied in “{title}”",
                       _thread_link(thread, post), target_type="thread", target_id=thread.id,
                       mail_subject=f"New reply in “{title}”", mail_template="discussion_post",
                       author=author, thread=thread, post_text=without_phi(post.body))


def quote(post: Post) -> str:
    """Markdown that quotes ``post`` at the start of a reply."""
    lines = post.body.replace("\r\n", "\n").strip().split("\n")
    quoted = "\n".join("> " + line if line else ">" for line in lines)
    return f"> **{post.author.name}** wrote:\n>\n{quoted}\n\n"


# -- editing ------------------------------------------------------------------

def edit_post(editor: User, post: Post, body: str, expected_version: int, title: str | None = None) -> Post:
    """Save a new text, keeping the old one as a revision. Refuses if someone saved in between."""
    if post.version != expected_version:
        raise EditConflict("Someone else saved this post while you were editing it. "
                           "Your text is below: compare it with the current version and save again.")
    thread = post.thread
    if body == post.body and (title is None or title == thread.title):
        return post
    matches = find_phi((title + "\n" if title is not None else "") + body)
    if any_strong(matches) and not post.held:
        raise IdentifiersRefused("This text holds patient identifiers that cannot be published (highlighted). "
                                 "Remove them to save your changes.")
    db.session.add(PostRevision(post_id=post.id, editor_id=editor.id, body=post.body))
    html, mentioned = render_body(body)
    old_mentions = {u.id for u in render_body(post.body)[1]}
    post.body, post.body_html, post.edited_at = body, html, utcnow()
    if title is not None and post.id == thread.first_post_id and title != thread.title:
        record(editor.id, "thread.retitle", "thread", thread.id, old=without_phi(thread.title), new=without_phi(title))
        thread.title = title
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise EditConflict("Someone else saved this post at the same moment. Reload it and try again.") from exc
    if not post.held and not post.is_removed:
        new = [u for u in mentioned if u.id not in old_mentions]
        if new:
            _notify_mentions(post, thread, editor, new)
        if matches:
            _ask_for_a_look(editor, post, matches)
    if editor.id != post.author_id:
        record(editor.id, "post.edit", "post", post.id, thread_id=thread.id, author_id=post.author_id)
    return post


def revisions(post: Post) -> list[PostRevision]:
    return db.session.scalars(select(PostRevision).options(joinedload(PostRevision.editor))
                              .where(PostRevision.post_id == post.id).order_by(PostRevision.id.desc())).all()


def remove_post(actor: User, post: Post, reason: str = "", flag_reason: str | None = None) -> None:
    """Soft-delete: the post stays in place, shown as removed; its text leaves the search index. A held
    post leaves the review; a held thread whose opening post goes is removed with it (still hidden, and
    closed to replies). A moderator's ``reason`` reaches the author; the audit entry keeps it (and the
    reason of the flag that led to it, which the author is not told)."""
    if post.is_removed:
        raise AlreadyDone("This post was already removed.")
    now = utcnow()
    post.removed_at, post.removed_by_id = now, actor.id
    thread = post.thread
    if post.held and post.id == thread.first_post_id:
        thread.removed_at, thread.locked = now, True
    own = actor.id == post.author_id
    details = {"reason": reason} if flag_reason is None else {"reason": reason, "flag_reason": flag_reason}
    record(actor.id, "post.delete-own" if own else "post.remove", "post", post.id, thread_id=post.thread_id,
           author_id=post.author_id, held=post.held, **details)
    # Flags about a removed post are settled.
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
                       .values(resolved_at=now, resolved_by_id=actor.id, resolution="removed"))
    db.session.flush()
    if not own:
        told = f" — reason: {without_phi(reason)}" if reason else ""
        notify(post.author_id, "discussion-review",
               f"A moderator removed your post in “{_short(without_phi(thread.title))}”{told}",
               _thread_link(thread, post), target_type="thread", target_id=thread.id)


def restore_post(actor: User, post: Post, now: datetime | None = None) -> None:
    """Undo a removal within ``UNDO_WINDOW``: the post (and the held thread that went with it) is back as it
    was, its flags open again, the author's "removed" notification gone. The route checks who may."""
    now = now or utcnow()
    if not post.is_removed:
        raise AlreadyDone("This post is not removed.")
    if not within_undo_window(post.removed_at, now):
        raise DiscussionError("It is too late to undo: a removed post can be restored for "
                              f"{UNDO_WINDOW.seconds // 60} minutes. It stays removed.")
    removed_at, thread = post.removed_at, post.thread
    if post.id == thread.first_post_id and thread.removed_at == removed_at:
        thread.removed_at, thread.locked = None, False
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolution == "removed",
                                          Flag.resolved_by_id == actor.id, Flag.resolved_at >= removed_at)
                       .values(resolved_at=None, resolved_by_id=None, resolution=None))
    if actor.id != post.author_id:
        forget_unread_counts()
        db.session.execute(Notification.__table__.delete().where(
            Notification.user_id == post.author_id, Notification.kind == "discussion-review",
            Notification.target_type == "thread", Notification.target_id == thread.id,
            Notification.created_at >= removed_at))
    post.removed_at, post.removed_by_id = None, None
    record(actor.id, "post.restore", "post", post.id, thread_id=post.thread_id, author_id=post.author_id)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def approve_post(actor: User, post: Post) -> None:
    """A moderator releases a held post (and its thread, when it is the opening post)."""
    if not post.held:
        raise AlreadyDone("This post is not waiting for review.")
    thread = post.thread
    post.held = False
    if post.id == thread.first_post_id:
        thread.held = False
    db.session.flush()
    record(actor.id, "post.approve", "post", post.id, thread_id=thread.id)
    _publish(post, thread, utcnow())
    _tell_author(actor, post, thread, "published")


def _tell_author(actor: User, post: Post, thread: Thread, what: str) -> None:
    """The author of a post a moderator reviewed hears what became of it."""
    if actor.id != post.author_id:
        notify(post.author_id, "discussion-review", f"A moderator {what} your post in “{without_phi(thread.title)}”",
               _thread_link(thread, post), target_type="thread", target_id=thread.id)


def redact_post(actor: User, post: Post) -> list[str]:
    """Replace the patient identifiers of a post by "[removed]" wherever its text is kept: the post, every
    earlier revision, the thread title (opening post), the search index, notification titles and stored
    mails. A moderator's redaction of a held post releases it. The audit entry names the kinds, never the
    text. Returns the kinds removed."""
    thread = post.thread
    opening = post.id == thread.first_post_id
    history = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)).all()
    texts = [post.body, *(revision.body for revision in history)] + ([thread.title] if opening else [])
    found = [(text, find_phi(text)) for text in texts]
    matches = [match for _text, spans in found for match in spans]
    if not matches:
        raise AlreadyDone("Nothing in this post looks like a patient identifier.")
    # The exact strings go too wherever they were copied (a quote in a title, a mail, another revision).
    removed = sorted({match.text for match in matches if match.text.strip()}, key=len, reverse=True)

    def scrub(text: str, spans=None) -> str:
        text = redact(text, spans if spans is not None else find_phi(text), REMOVED)
        for value in removed:
            text = text.replace(value, REMOVED)
        return text

    body = scrub(post.body, found[0][1])
    post.body, post.body_html = body, render_body(body)[0]
    for revision, (_text, spans) in zip(history, found[1:], strict=False):
        revision.body = scrub(revision.body, spans)
    if opening:
        thread.title = scrub(thread.title)
    db.session.flush()
    for notification in db.session.scalars(select(Notification).where(
            Notification.target_type == "thread", Notification.target_id == thread.id,
            or_(*(Notification.title.contains(value, autoescape=True) for value in removed)))):
        notification.title = scrub(notification.title)
    _scrub_mails(removed)
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
                       .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution="redacted"))
    kinds = _kinds(matches)
    record(actor.id, "post.redact", "post", post.id, thread_id=thread.id, author_id=post.author_id,
           kinds=kinds, spans=len(matches), revisions=len(history))
    if post.held and permissions.can_moderate(actor, thread.category):
        post.held = False
        if opening:
            thread.held = False
        db.session.flush()
        _publish(post, thread, utcnow())
        _tell_author(actor, post, thread, "removed patient identifiers from and published")
    else:
        _tell_author(actor, post, thread, "removed patient identifiers from")
    return kinds


def _scrub_mails(removed: list[str]) -> None:
    """Stored mails (queued ones above all: they have not gone out yet) lose the removed strings."""
    variants = sorted({v for value in removed for v in (value, html_escape(value, quote=True),
                                                        html_escape(value, quote=False))}, key=len, reverse=True)
    mails = db.session.scalars(select(EmailOutbox).where(or_(*(
        column.contains(value, autoescape=True) for value in variants
        for column in (EmailOutbox.subject, EmailOutbox.text_body, EmailOutbox.html_body))))).all()
    for mail in mails:
        for value in variants:
            mail.subject = mail.subject.replace(value, REMOVED)
            mail.text_body = mail.text_body.replace(value, REMOVED)
            mail.html_body = mail.html_body.replace(value, REMOVED)


# -- moderation -----------------------------------------------------------------

def flag_post(reporter: User, post: Post, reason: str) -> Flag:
    open_flag = db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.reporter_id == reporter.id,
                                                        Flag.resolved_at.is_(None)))
    if open_flag is not None:
        raise AlreadyDone("You already flagged this post; a moderator will look at it.")
    flag = Flag(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.session.add(flag)
    db.session.flush()
    record(reporter.id, "post.flag", "post", post.id, flag_id=flag.id, reason=reason)
    return flag


def resolve_flag(actor: User, flag: Flag, remove: bool, reason: str = "") -> None:
    if flag.resolved_at is not None:
        raise AlreadyDone("This flag was already handled.")
    if remove and not flag.post.is_removed:
        remove_post(actor, flag.post, reason=reason, flag_reason=flag.reason)
    flag.resolved_at, flag.resolved_by_id = utcnow(), actor.id
    flag.resolution = "removed" if remove else "dismissed"
    record(actor.id, "flag.resolve", "flag", flag.id, post_id=flag.post_id, resolution=flag.resolution)


def set_pinned(actor: User, thread: Thread, pinned: bool) -> None:
    thread.pinned = pinned
    record(actor.id, "thread.pin" if pinned else "thread.unpin", "thread", thread.id)


def set_locked(actor: User, thread: Thread, locked: bool) -> None:
    thread.locked = locked
    record(actor.id, "thread.lock" if locked else "thread.unlock", "thread", thread.id)


def move_thread(actor: User, thread: Thread, category: Category) -> None:
    """Move a thread; notifications about it are withdrawn from members who can no longer see it."""
    if category.id == thread.category_id:
        return
    record(actor.id, "thread.move", "thread", thread.id, from_category=thread.category_id, to_category=category.id)
    thread.category = category
    db.session.flush()
    _withdraw_unseen_notifications(thread)


def _withdraw_unseen_notifications(thread: Thread) -> None:
    """Withdraw notifications about ``thread`` from members who can no longer see it."""
    recipients = db.session.scalars(select(User).where(User.id.in_(
        select(Notification.user_id).where(Notification.target_type == "thread",
                                           Notification.target_id == thread.id)))).all()
    if not recipients:
        return
    allowed = {u.id for u in permissions.who_can_view_category(recipients, thread.category)}
    withdraw("thread", thread.id, [u.id for u in recipients if u.id not in allowed])


def moderation_queue(user) -> tuple[list[Flag], list[Post]]:
    """Open flags and held posts in the categories ``user`` moderates, oldest first."""
    mine = permissions.moderated_categories(user, Category)
    flags = db.session.scalars(
        select(Flag).join(Post, Post.id == Flag.post_id).join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .options(joinedload(Flag.reporter), joinedload(Flag.post).joinedload(Post.author),
                 joinedload(Flag.post).joinedload(Post.thread))
        .where(Flag.resolved_at.is_(None), mine).order_by(Flag.id).limit(200)).all()
    held = db.session.scalars(
        select(Post).join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
        .options(joinedload(Post.author), joinedload(Post.thread))
        .where(Post.held.is_(True), Post.removed_at.is_(None), mine).order_by(Post.id).limit(200)).all()
    return flags, held


# -- subscriptions and read marks -------------------------------------------------

def set_subscription(user: User, thread: Thread, level: SubscriptionLevel | None) -> None:
    """Watch, mute, or go back to the default (no subscription)."""
    existing = db.session.get(Subscription, (user.id, thread.id))
    if level is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(Subscription(user_id=user.id, thread_id=thread.id, level=level))
    else:
        existing.level = level


def mark_read(user_id: int, thread_id: int, post_id: int, current: int | None) -> bool:
    """Move the member's read mark forward to ``post_id`` (``current`` is the mark as read before, if any);
    writes only when it moves, and never moves it back (the member's other tab may have gone further)."""
    if current is not None and current >= post_id:
        return False
    connection = db.session.connection()
    connection.execute(_mark_read_statement(connection.dialect.name),
                       {"member": user_id, "thread": thread_id, "post": post_id})
    return True


def _follow(user_id: int, thread_id: int, post_id: int) -> None:
    """The author of a post watches its thread (unless they chose a level before) and has read up to it."""
    connection = db.session.connection()
    connection.execute(_watch_statement(connection.dialect.name), {"member": user_id, "thread": thread_id})
    connection.execute(_mark_read_statement(connection.dialect.name),
                       {"member": user_id, "thread": thread_id, "post": post_id})


# The statements every post and thread view runs. They run as Core on the session's connection, so in the
# request's transaction: through the ORM each cost several times the Python of its round trip, and posting
# a reply is the most frequent write. The upserts are atomic: two tabs, or a reply and a thread view, never
# meet a duplicate key (PostgreSQL and SQLite share their syntax; each dialect has its own ``insert``).

_MEMBER, _THREAD, _POST = (bindparam(name, type_=Integer) for name in ("member", "thread", "post"))


def _insert_for(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@prebuilt
def _count_post_statement():
    """The thread counts a published post (``thread``, ``post``, ``now``)."""
    threads = Thread.__table__
    return update(threads).where(threads.c.id == _THREAD).values(
        post_count=threads.c.post_count + 1, last_post_at=bindparam("now", type_=threads.c.last_post_at.type),
        # (approving a held post publishes it after newer ones: the last post stays the newest)
        last_post_id=case((func.coalesce(threads.c.last_post_id, 0) < _POST, _POST), else_=threads.c.last_post_id))


@prebuilt
def _watch_statement(dialect: str):
    """The member watches the thread, unless they chose a level before."""
    subscriptions = Subscription.__table__
    return (_insert_for(dialect)(subscriptions)
            .values(user_id=_MEMBER, thread_id=_THREAD, level=SubscriptionLevel.WATCH)
            .on_conflict_do_nothing(index_elements=[subscriptions.c.user_id, subscriptions.c.thread_id]))


@prebuilt
def _mark_read_statement(dialect: str):
    """The member's read mark moves forward to ``post``, never back."""
    marks = ReadMark.__table__
    new_mark = _insert_for(dialect)(marks).values(user_id=_MEMBER, thread_id=_THREAD, last_read_post_id=_POST)
    return new_mark.on_conflict_do_update(
        index_elements=[marks.c.user_id, marks.c.thread_id],
        set_={"last_read_post_id": new_mark.excluded.last_read_post_id},
        where=marks.c.last_read_post_id < new_mark.excluded.last_read_post_id)


@prebuilt
def _watchers_statement():
    """The ids of the members who watch the thread."""
    subscriptions = Subscription.__table__
    return select(subscriptions.c.user_id).where(subscriptions.c.thread_id == _THREAD,
                                                 subscriptions.c.level == SubscriptionLevel.WATCH)


@prebuilt
def _reader_state_statement():
    """The member's read mark and subscription level in the thread, in one row."""
    subscriptions, marks = Subscription.__table__, ReadMark.__table__
    return select(
        select(marks.c.last_read_post_id).where(marks.c.user_id == _MEMBER, marks.c.thread_id == _THREAD)
        .scalar_subquery().label("last_read_post_id"),
        select(subscriptions.c.level).where(subscriptions.c.user_id == _MEMBER, subscriptions.c.thread_id == _THREAD)
        .scalar_subquery().label("level"))


def read_mark(user_id: int, thread_id: int) -> int | None:
    return db.session.scalar(select(ReadMark.last_read_post_id).where(ReadMark.user_id == user_id,
                                                                      ReadMark.thread_id == thread_id))


def reader_state(user_id: int, thread_id: int) -> tuple[int | None, SubscriptionLevel | None]:
    """The member's read mark and subscription level for a thread, in one query (the thread page shows both)."""
    row = db.session.connection().execute(_reader_state_statement(), {"member": user_id, "thread": thread_id}).one()
    return row.last_read_post_id, row.level


# -- reading a thread -------------------------------------------------------------

@dataclass
class PostPage:
    posts: list[Post]
    newer: int | None  # ``after`` cursor of the next page
    older: int | None  # ``before`` cursor of the previous page


def post_page(user, thread: Thread, *, after: int | None = None, before: int | None = None,
              size: int = POSTS_PER_PAGE) -> PostPage:
    """A page of a thread's posts by post id (keyset, never OFFSET): after a post, before one, or the first."""
    moderator = permissions.can_moderate(user, thread.category)
    direction = "before" if before is not None else "after" if after is not None else "first"
    posts = db.session.scalars(_post_page_statement(moderator, direction, size),
                               {"thread": thread.id, "viewer": user.id, "cursor": before or after}).all()
    if before is not None:
        has_older = len(posts) > size
        posts = list(reversed(posts[:size]))
        has_newer = True
    else:
        has_newer = len(posts) > size
        posts = posts[:size]
        has_older = after is not None and after >= (thread.first_post_id or 0)
    if not posts:
        return PostPage([], None, None)
    return PostPage(posts, posts[-1].id if has_newer else None, posts[0].id if has_older else None)


@prebuilt
def _post_page_statement(moderator: bool, direction: str, size: int):
    """Posts of a page (``direction``: "first", "after" or "before" the ``cursor`` post id), built once
    per kind of page. Held posts are shown to moderators and to their own author."""
    # The page shows each author's name and role, and the rendered text (the source is for editing).
    query = (select(Post).options(joinedload(Post.author).load_only(User.id, User.name, User.role), defer(Post.body))
             .where(Post.thread_id == bindparam("thread", type_=Integer)))
    if not moderator:
        query = query.where(or_(Post.held.is_(False), Post.author_id == bindparam("viewer", type_=Integer)))
    cursor = bindparam("cursor", type_=Integer)
    if direction == "before":
        return query.where(Post.id < cursor).order_by(Post.id.desc()).limit(size + 1)
    if direction == "after":
        query = query.where(Post.id > cursor)
    return query.order_by(Post.id).limit(size + 1)


def previous_post_id(thread: Thread, post_id: int) -> int | None:
    """The id of the post before ``post_id`` in its thread (for links that start a page at a post)."""
    return db.session.scalar(select(func.max(Post.id)).where(Post.thread_id == thread.id, Post.id < post_id))


def load_thread(thread_id: int) -> Thread | None:
    return db.session.scalars(_thread_statement(), {"id": thread_id}).first()


def load_post(post_id: int) -> Post | None:
    return db.session.scalars(_post_statement(), {"id": post_id}).first()


# Every discussion page loads a thread or a post with what permissions read (category, cohort): building the
# statement and its options cost more than running it.

@prebuilt
def _thread_statement():
    """A thread with its category and the category's cohort."""
    return (select(Thread).options(joinedload(Thread.category).joinedload(Category.cohort))
            .where(Thread.id == bindparam("id", type_=Integer)))


@prebuilt
def _post_statement():
    """A post with its author, thread, the thread's category and the category's cohort."""
    return (select(Post).options(joinedload(Post.author),
                                 joinedload(Post.thread).joinedload(Thread.category).joinedload(Category.cohort))
            .where(Post.id == bindparam("id", type_=Integer)))


def recent_threads(user, limit: int = 5) -> list:
    """The latest active threads the member may see, for the home page: rows of ``id``, ``title`` and
    ``category_name``, all the card shows."""
    return db.session.connection().execute(_recent_threads_statement(user.role, limit), {"member": user.id}).all()


@prebuilt
def _recent_threads_statement(role: Role, limit: int):
    """Built once per role: every home page view runs it, and building it (with the visibility subqueries)
    cost more than running it. The rules are ``permissions.visible_categories``' own, for a signed-in member
    of that role whose id is a parameter (the home page is for members only)."""
    viewer = SimpleNamespace(id=bindparam("member", type_=Integer), role=role, is_authenticated=True,
                             is_verified=True)
    return (select(Thread.id, Thread.title, Category.name.label("category_name"))
            .join(Category, Category.id == Thread.category_id)
            .where(permissions.visible_categories(viewer, Category), Thread.held.is_(False))
            .order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(limit))
