"""One full-text indexer: every indexed model's rows stay current, whatever changed, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from network import search
from network.discussions.models import CategoryVisibility, Post
from network.discussions.services import categories, posting
from network.extensions import db
from network.members.models import User
from network.opportunities.models import Opportunity, OpportunityKind, WorkMode
from network.opportunities.services.posting import create_opportunity
from network.profiles.models import Profile
from network.taxonomy import services as taxonomy
from network.taxonomy.models import Interest
from network.types import utcnow
from tests.opportunities.test_board import titles
from tests.test_directory import add_profile, names


def post_job(app, poster, title, interests=()):
    """A job on the board, posted through the service as the form would."""
    with app.test_request_context():
        chosen = db.session.scalars(select(Interest.id).where(Interest.name.in_(interests))).all()
        values = {"title": title, "organisation": "Northbridge Pain Center", "location": "Boston, MA",
                  "work_mode": WorkMode.ONSITE, "description": "A good opportunity.",
                  "apply_url": "https://example.org/apply", "time_zone": "America/New_York",
                  "deadline": utcnow() + timedelta(days=30)}
        opportunity = create_opportunity(db.session.get(User, poster.id), OpportunityKind.JOB, values,
                                         interest_ids=chosen)
        db.session.commit()
        return opportunity.id


def test_renaming_an_interest_reindexes_the_board_and_the_directory(app, make_user, login):
    """The issue's bug: a renamed interest was found by its new name in the directory only."""
    admin = make_user(role="admin")
    member = make_user(role="alumni", name="Dr. Term User")
    add_profile(app, member, interests=["Telemedicine"])
    post_job(app, member, "Pain attending", interests=["Telemedicine"])
    viewer = login(app.test_client(), make_user())
    assert names(viewer.get("/members/?q=telemedicine")) == ["Dr. Term User"]
    assert titles(viewer.get("/opportunities/?q=telemedicine")) == ["Pain attending"]
    assert titles(viewer.get("/opportunities/?q=virtual")) == []
    with app.app_context():
        term = db.session.scalars(select(Interest).where(Interest.name == "Telemedicine")).one()
    login(app.test_client(), admin).post(f"/admin/taxonomy/interests/{term.id}/rename", data={"name": "Virtual care"})
    assert names(viewer.get("/members/?q=virtual")) == ["Dr. Term User"]
    assert titles(viewer.get("/opportunities/?q=virtual")) == ["Pain attending"]
    assert names(viewer.get("/members/?q=telemedicine")) == []
    assert titles(viewer.get("/opportunities/?q=telemedicine")) == []


# -- every indexed model, through its whole life ------------------------------------------------

def found(model, words: str) -> list[int]:
    """The keys of ``model`` whose index rows match ``words`` (as its search box reads them)."""
    index = search.index_of(model)
    dialect = db.session.get_bind().dialect.name
    statement, _order = search.match(select(index.key_column), index, dialect,
                                     search.expression(index, dialect, words))
    return list(db.session.scalars(statement))


def _term(name: str) -> Interest:
    return db.session.scalars(select(Interest).where(Interest.name == name)).one()


def _new_profile(app, make_user) -> int:
    member = make_user(role="alumni", name="Dr. Index Person")
    add_profile(app, member, headline="Spine care", interests=["Telemedicine"])
    return member.id


def _new_opportunity(app, make_user) -> int:
    return post_job(app, make_user(role="alumni"), "Spine attending", interests=["Telemedicine"])


def _new_post(app, make_user) -> int:
    author_id = make_user(role="alumni").id
    with app.test_request_context():
        category = categories.save_category(None, None, name="Index tests", description="For tests.",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        author = db.session.get(User, author_id)
        _thread, post = posting.start_thread(author, category, "Telemedicine rounds", "Spine care questions.")
        db.session.commit()
        return post.id


def _rename_interest(obj) -> None:
    taxonomy.rename_term(_term("Telemedicine"), "Virtual care", actor_id=None)


def _retitle_thread(post) -> None:
    post.thread.title = "Virtual care rounds"


#: model, how one is made, the watched field an edit changes, and the related change that renames its tag
#: (an interest, or the thread title an opening post carries).
LIVES = {
    "profile": (Profile, _new_profile, "headline", _rename_interest),
    "opportunity": (Opportunity, _new_opportunity, "title", _rename_interest),
    "post": (Post, _new_post, "body", _retitle_thread),
}


@pytest.mark.parametrize("life", list(LIVES))
def test_each_indexed_model_is_current_after_create_update_rename_retire_and_delete(app, make_user, life):
    model, make, field, rename = LIVES[life]
    key = make(app, make_user)
    with app.test_request_context():
        assert found(model, "telemedicine") == [key] and found(model, "spine") == [key]
        obj = db.session.get(model, key)
        setattr(obj, field, "Zygapophyseal joints")
        db.session.commit()
        assert found(model, "zygapophyseal") == [key] and found(model, "spine") == []
        rename(db.session.get(model, key))
        db.session.commit()
        assert found(model, "virtual") == [key] and found(model, "telemedicine") == []
        if model is not Post:
            taxonomy.retire_term(_term("Virtual care"), actor_id=None)  # members and posters keep a retired tag
            db.session.commit()
            assert found(model, "virtual") == [key]
        db.session.delete(db.session.get(model, key))
        db.session.commit()
        assert found(model, "virtual") == [] and found(model, "zygapophyseal") == []


def test_every_index_table_has_its_declaration(app):
    """A model with an FTS5 table or a tsvector column is indexed only if it registers: none is forgotten."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            tables = set(db.session.scalars(text("SELECT table_name FROM information_schema.columns "
                                                 "WHERE column_name = 'search_vector'")))
            declared = {index.table for index in search.REGISTRY.values()}
        else:
            tables = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")))
            declared = {index.fts_table for index in search.REGISTRY.values()}
    assert tables == declared
    assert {model.__name__ for model in search.REGISTRY} == {"Post", "Profile", "Opportunity"}
