"""Account pages list the member's own settings, and of what grows only their API tokens (the page shows the
newest ``MAX_LIVE_TOKENS``; here each member has 5 then 500 of them). The other areas' hooks still fill 5 then 500
rows of everything around them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from network.extensions import db


def populate(app, people, named, count):
    from network.auth.models import ApiToken
    from network.types import utcnow

    with app.app_context():
        first = named.get("api_tokens", 0)
        now = utcnow()
        db.session.execute(insert(ApiToken), [
            {"user_id": member.id, "name": f"Budget script {n}", "token_hash": f"{member.id:032d}{n:032d}",
             "scopes": "read write", "created_at": now, "expires_at": now + timedelta(days=30),
             "last_used_at": now if n % 2 else None}
            for role, member in people.items() if role != "anonymous" for n in range(first, first + count)])
        db.session.commit()
        named["api_tokens"] = first + count
