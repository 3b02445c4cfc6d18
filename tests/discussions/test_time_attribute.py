"""``<time datetime>`` holds a valid HTML date-time: at most three digits of a second (the W3C checker
rejected every post's timestamp when templates wrote ``isoformat()``, six digits)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from network.discussions.models import Post
from network.extensions import db
from network.templating import time_attribute
from tests.discussions.conftest import page_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# HTML's "valid global date and time string" (and a local one, without the zone); a date alone.
VALID = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?")


def test_time_attribute_is_iso_8601_to_the_second_in_utc():
    assert time_attribute(datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)) == "2026-03-04T05:06:07Z"
    # SQLite gives back times without a zone: they are UTC.
    assert time_attribute(datetime(2026, 3, 4, 5, 6, 7, 891234)) == "2026-03-04T05:06:07Z"
    eastern = timezone(timedelta(hours=-5))
    assert time_attribute(datetime(2026, 3, 4, 0, 30, tzinfo=eastern)) == "2026-03-04T05:30:00Z"
    assert time_attribute(date(2026, 3, 4)) == "2026-03-04"


def test_no_template_writes_a_time_with_isoformat():
    offenders = [f"{path.relative_to(TEMPLATES)}: {line.strip()}"
                 for path in TEMPLATES.rglob("*.html")
                 for line in path.read_text(encoding="utf-8").splitlines()
                 if "datetime=" in line and "isoformat()" in line]
    assert not offenders, offenders


def test_a_thread_page_writes_valid_datetime_attributes(app, make_user, login, make_category, make_thread):
    member = make_user()
    category_id, _ = make_category()
    thread_id, post_ids = make_thread(category_id, member.id, replies=1)
    with app.app_context():
        for post_id in post_ids:
            db.session.get(Post, post_id).created_at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
        db.session.commit()
    client = login(app.test_client(), member)
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    values = re.findall(r'datetime="([^"]*)"', page)
    assert len(values) >= 2
    assert [v for v in values if not VALID.fullmatch(v)] == []
    assert "2026-05-06T07:08:09Z" in values
