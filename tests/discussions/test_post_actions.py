"""The thread page asks, once per page, what the viewer may do with each post
(``permissions.post_actions_on_page``): its answers are those of the per-post checks in every case."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from network import permissions
from network.members.models import Role

COHORT, PROGRAM = 7, 3


def member(user_id, role, cohort_role=None, staff=False):
    user = SimpleNamespace(id=user_id, role=role, is_authenticated=True, is_verified=True)
    user._cohort_roles = {COHORT: (cohort_role, PROGRAM)} if cohort_role else {}
    user._managed_program_ids = frozenset({PROGRAM}) if staff else frozenset()
    return user


# Faculty 3 runs the cohort's program; faculty 7 advises the cohort without being its program's staff.
VIEWERS = [member(1, Role.FELLOW, "fellow"), member(2, Role.FELLOW), member(3, Role.FACULTY, "faculty", staff=True),
           member(4, Role.FACULTY), member(5, Role.ADMIN), member(6, Role.ALUMNI), member(7, Role.FACULTY, "faculty")]
CATEGORIES = [SimpleNamespace(visibility=visibility, cohort_id=COHORT if visibility == "cohort" else None,
                              cohort=SimpleNamespace(program_id=PROGRAM) if visibility == "cohort" else None)
              for visibility in ("members", "cohort", "faculty")]


def test_page_answers_equal_the_per_post_checks_in_every_case():
    checked = 0
    for category, locked, thread_held in itertools.product(CATEGORIES, (False, True), (False, True)):
        thread = SimpleNamespace(category=category, locked=locked, held=thread_held, author_id=1)
        for viewer in VIEWERS:
            actions = permissions.post_actions_on_page(viewer, thread)
            for author_id, held, removed in itertools.product((viewer.id, 99), (False, True), (False, True)):
                post = SimpleNamespace(thread=thread, author_id=author_id, held=held, is_removed=removed)
                if not permissions.can_view_post(viewer, post):
                    assert actions(post) == (False, False, False)
                    continue
                expected = (permissions.can_edit_post(viewer, post), permissions.can_remove_post(viewer, post),
                            permissions.can_see_history(viewer, post))
                assert actions(post) == expected, (category.visibility, locked, viewer.role, author_id, held, removed)
                checked += 1
    assert checked > 100  # the cases above include many a viewer may see


def test_only_the_programs_staff_moderate_a_cohort_category():
    """A cohort's faculty advisor who is not staff of its program sees its category but moderates nothing
    in it; a member of staff who belongs to the cohort does; staff of the program alone see nothing."""
    cohort_category = CATEGORIES[1]
    staff, advisor, admin = VIEWERS[2], VIEWERS[6], VIEWERS[4]
    outsider_staff = member(8, Role.FACULTY, staff=True)
    assert permissions.can_moderate(staff, cohort_category) and permissions.can_moderate(admin, cohort_category)
    assert permissions.can_view_category(advisor, cohort_category)
    assert not permissions.can_moderate(advisor, cohort_category)
    assert not permissions.can_view_category(outsider_staff, cohort_category)
    assert not permissions.can_moderate(outsider_staff, cohort_category)
    # Both faculty members moderate the faculty-only category, as every faculty member does.
    assert permissions.can_moderate(advisor, CATEGORIES[2]) and permissions.can_moderate(staff, CATEGORIES[2])


def test_links_on_a_thread_page_lead_where_url_for_would(app, make_user, login, make_category, make_thread):
    """The post links are written from one url_for each; every one must reach its route."""
    import re
    from urllib.parse import urlsplit

    from werkzeug.exceptions import MethodNotAllowed

    moderator, author = make_user(role="admin"), make_user()
    category_id, _ = make_category()
    thread_id, post_ids = make_thread(category_id, author.id, replies=2)
    page = login(app.test_client(), moderator).get(f"/discussions/t/{thread_id}").text
    adapter = app.url_map.bind("localhost")
    seen = set()
    for url in re.findall(r'(?:href|action)="(/(?:discussions/p|members)/\d+[^"]*)"', page):
        parts = urlsplit(url.replace("&amp;", "&"))
        try:
            endpoint, values = adapter.match(parts.path, method="GET")
        except MethodNotAllowed:
            endpoint, values = adapter.match(parts.path, method="POST")
        seen.add(endpoint)
        assert values.get("post_id", values.get("user_id")) in {*post_ids, author.id, moderator.id}, url
    # An admin sees every action on another member's post.
    assert {"discussions.show_post", "profiles.show", "discussions.edit_post", "discussions.remove_post",
            "discussions.flag_post"} <= seen, seen
    quotes = set(re.findall(r'href="(/discussions/t/\d+/reply\?quote=\d+)"', page))
    with app.test_request_context():
        from flask import url_for
        assert quotes == {url_for("discussions.reply", thread_id=thread_id, quote=post_id) for post_id in post_ids}
