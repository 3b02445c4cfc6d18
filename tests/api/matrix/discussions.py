"""``/api/v1/discussions``: who reads and writes what, on the page matrix's discussion data.

``prepare`` is the page matrix's (``tests/matrix/discussions.py``): an open category (1) with thread 1 (post 1
by the fellow, post 2 the alumna's reply), a cohort category (2) for a cohort of the fellow, the faculty member
(its program's director) and ex-staff (still a faculty advisor of the cohort) with thread 2 (post 3), and a
faculty-only category (3). The cohort's category, thread and posts are a 404 to whoever is outside the cohort
(the alumna, the other program's director), as their pages are; the faculty lounge to the fellow and alumna.

An edit is refused (404, 403) before its precondition is read; a member who may edit gets 428 here, because a
row sends no If-Match (``tests/api/test_discussions.py`` sends it: 200, 412, 409).
"""

from __future__ import annotations

from tests.api.matrix import GRANTED_ROLES
from tests.matrix.discussions import prepare as prepare_discussions


def _roles(fellow, alumni, faculty, ex_staff, other_staff, admin) -> dict:
    return dict(zip(GRANTED_ROLES, (fellow, alumni, faculty, ex_staff, other_staff, admin), strict=True))


def cohort_only(status) -> dict:
    """The cohort's members (and admins) get ``status``; the alumna and the other program's director 404."""
    return _roles(status, 404, status, status, 404, status)


def everyone(status) -> dict:
    return dict.fromkeys(GRANTED_ROLES, status)


def prepare(app, people, make_user):
    named = prepare_discussions(app, people, make_user)
    return {**named, "cohort_category_id": 2, "faculty_category_id": 3, "cohort_post_id": 3}


ROUTES = {
    ("api_discussions.categories", "GET"): ({}, None, everyone(200)),
    ("api_discussions.category_threads", "GET"): ({"category_id": "@cohort_category_id"}, None,
                                                   cohort_only(200)),
    ("api_discussions.start_thread", "POST"): (
        {"category_id": "@faculty_category_id"}, {"title": "A question", "body": "About ketamine infusions."},
        _roles(404, 404, 201, 201, 201, 201)),
    ("api_discussions.thread", "GET"): ({"thread_id": "@cohort_thread_id"}, None, cohort_only(200)),
    ("api_discussions.thread_posts", "GET"): ({"thread_id": "@cohort_thread_id"}, None, cohort_only(200)),
    ("api_discussions.reply", "POST"): ({"thread_id": "@cohort_thread_id"}, {"body": "A reply over the API."},
                                        cohort_only(201)),
    ("api_discussions.post", "GET"): ({"post_id": "@cohort_post_id"}, None, cohort_only(200)),
    # The fellow's own post: its author and the admin may edit it; the others see it and may not (403).
    ("api_discussions.edit_post", "PATCH"): ({"post_id": "@fellow_post_id"}, {"version": 1, "body": "Edited."},
                                             _roles(428, 403, 403, 403, 403, 428)),
}
