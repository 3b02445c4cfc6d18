"""A card's badges read as separate words ("Past Bookmarked", not "PastBookmarked")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from network.extensions import db
from network.opportunities.models import Opportunity
from tests.opportunities.test_board_cards import card


def test_a_past_bookmarked_card_keeps_its_badges_apart(app, make_user, signed_in, make_opportunity):
    job = make_opportunity(make_user(role="alumni"), "job", title="Alpha attending")
    client = signed_in(make_user())
    assert client.post(f"/opportunities/{job}/bookmark").status_code == 302
    with app.app_context():
        db.session.get(Opportunity, job).deadline = datetime.now(UTC) - timedelta(hours=1)
        db.session.commit()
    archived = card(client, "/opportunities/archive", "Alpha attending")
    assert ">Past</span>" in archived and ">Bookmarked</span>" in archived
    assert re.search(r">Past</span>\s+<span[^>]*>Bookmarked</span>", archived), archived
