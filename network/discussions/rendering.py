"""A post's text as HTML: markdown, sanitised once when the post is saved, with ``@Name`` mentions of members
linked to their profiles (one query finds the members) and quotes of posts of the same thread attributed to
their authors (one query; ``network.text.quotes``). Posting, editing and redaction store it; the post forms'
previews and the demo show it."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from network.discussions.models import Post
from network.extensions import db
from network.members.models import MemberStatus, User
from network.text.markdown import render_markdown
from network.text.quotes import quoted_post_ids


def render_body(body: str, thread_id: int | None = None) -> tuple[str, list[User]]:
    """Sanitised HTML for a post of ``thread_id``, with ``@Name`` mentions of members linked and its quotes of
    the thread's posts attributed; and the members mentioned."""
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
    html = str(render_markdown(body, _resolve_quotes(body, thread_id)))
    return html, list({u.id: u for u in mentioned.values()}.values())


def _resolve_quotes(body: str, thread_id: int | None) -> dict[int, tuple[str, str]]:
    """``{post id: (author's name, link)}`` for the quoted posts that every reader of the post sees: published
    posts of its own thread. A quote of anything else (another thread's post, a held, removed or made-up one)
    renders as a plain blockquote naming nobody, so a forged quote tells nothing."""
    ids = quoted_post_ids(body)
    if not ids or thread_id is None:
        return {}
    rows = db.session.execute(select(Post.id, User.name).join(User, User.id == Post.author_id).where(
        Post.id.in_(ids), Post.thread_id == thread_id, Post.held.is_(False), Post.removed_at.is_(None))).all()
    return {post_id: (name, _path("discussions.show_post", post_id=post_id)) for post_id, name in rows}


def _path(endpoint: str, **values) -> str:
    """A page's path, with or without a request (the demo seeds from the command line)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _profile_path(user_id: int) -> str:
    """The profile page's path."""
    return _path("profiles.show", user_id=user_id)


MENTION = re.compile(r"(?<![\w@/\[])@([A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,3})")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)


def _outside_code(text: str, change) -> str:
    """``text`` with ``change`` applied to what is outside code spans and blocks."""
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

