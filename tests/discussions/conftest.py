"""Factories for discussion tests: categories, cohorts, threads and posts made through the services."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from network.extensions import db


@pytest.fixture
def app(make_app):
    # Most tests post many times from one member; the limit has its own test.
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def make_category(app):
    """``make_category(visibility="members", cohort_id=None, holds_phi_matches=False, name=...)`` -> (id, slug)."""
    from network.discussions.models import CategoryVisibility
    from network.discussions.services import categories

    counter = itertools.count(1)

    def factory(visibility="members", cohort_id=None, holds_phi_matches=False, name=None):
        with app.app_context():
            category = categories.save_category(
                None, None, name=name or f"Category {next(counter)}", description="For tests.",
                visibility=CategoryVisibility(visibility), cohort_id=cohort_id, holds_phi_matches=holds_phi_matches)
            db.session.commit()
            return category.id, category.slug

    return factory


@pytest.fixture
def make_cohort(app):
    """``make_cohort(members={user_id: "fellow"|"faculty"}, staff=(user_id, ...))`` -> cohort id (a new
    program each time, run by ``staff``)."""
    from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff

    counter = itertools.count(1)

    def factory(members=None, program_id=None, staff=()):
        n = next(counter)
        with app.app_context():
            if program_id is None:
                program = Program(slug=f"program-{n}", name=f"Program {n}", institution=f"Hospital {n}")
                db.session.add(program)
                db.session.flush()
                program_id = program.id
            db.session.add_all([ProgramStaff(program_id=program_id, user_id=user_id, role="faculty")
                                for user_id in staff])
            cohort = Cohort(program_id=program_id, name=f"Class {n}", start_date=date(2026, 7, 1),
                            end_date=date(2027, 6, 30))
            db.session.add(cohort)
            db.session.flush()
            for user_id, role in (members or {}).items():
                db.session.add(CohortMembership(cohort_id=cohort.id, user_id=user_id, role=CohortRole(role)))
            db.session.commit()
            return cohort.id

    return factory


@pytest.fixture
def make_thread(app):
    """``make_thread(category_id, author_id, title=..., body=..., replies=0, reply_author_id=None)``
    -> (thread id, [post ids])."""
    from network.discussions.models import Category
    from network.discussions.services import posting
    from network.members.models import User

    counter = itertools.count(1)

    def factory(category_id, author_id, title=None, body="Opening post about genicular nerve ablation.",
                replies=0, reply_author_id=None, reply_body="A reply about radiofrequency settings."):
        with app.test_request_context():
            author = db.session.get(User, author_id)
            category = db.session.get(Category, category_id)
            thread, post = posting.start_thread(author, category, title or f"Thread {next(counter)}", body)
            ids = [post.id]
            replier = db.session.get(User, reply_author_id or author_id)
            for n in range(replies):
                ids.append(posting.reply(replier, thread, f"{reply_body} {n}").id)
            db.session.commit()
            return thread.id, ids

    return factory


def page_text(response) -> str:
    return response.get_data(as_text=True)
