"""Access rows for discussions and notifications.

``prepare`` builds, on a fresh database: an open category (id 1, slug ``open-talk``) with thread 1
(post 1 by the fellow, post 2 a reply by the alumna, flagged by the fellow), a cohort category (id 2)
for a cohort of the fellow, the faculty member (who runs its program) and ex-staff (its former staff,
still a faculty advisor of the cohort) with thread 2 (post 3), and an empty faculty-only category (id 3);
and notification 1 for the fellow pointing at post 2. Ids are fixed because these are the first
discussion rows of each test database.

Pinning, locking and moving act on the cohort's thread: its program's staff moderate it; ex-staff, a
member of the cohort, sees it and gets 403; the director of another program may not see it (404).
Elsewhere ex-staff and the other director answer like any faculty member.
"""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, program_with_cohort, staff_history

GET_PENDING = PENDING  # pending members are sent to their waiting page
POST_PENDING = 403


def roles(fellow, alumni, faculty, admin, method="GET", *, ex_staff=None, other_staff=None):
    """Ex-staff and the other program's director answer as ``faculty`` unless given."""
    return {"anonymous": LOGIN, "pending": GET_PENDING if method == "GET" else POST_PENDING,
            "fellow": fellow, "alumni": alumni, "faculty": faculty,
            "ex_staff": faculty if ex_staff is None else ex_staff,
            "other_staff": faculty if other_staff is None else other_staff, "admin": admin}


def members(outcome, method="GET"):
    return roles(outcome, outcome, outcome, outcome, method)


def admin_only(outcome, method="GET", others=403):
    return roles(others, others, others, outcome, method)


def cohort_moderation(outcome, method="GET"):
    """Moderating the cohort's thread: the program's staff and admins; its other members 403; others 404."""
    return roles(403, 404, outcome, outcome, method, ex_staff=403, other_staff=404)


CATEGORY = {"slug": "@category_slug"}
THREAD = {"thread_id": "@thread_id"}
COHORT_THREAD = {"thread_id": "@cohort_thread_id"}
OWN_POST = {"post_id": "@fellow_post_id"}
REPLY_POST = {"post_id": "@alumni_post_id"}

ROUTES = {
    ("discussions.index", "GET"): ({}, members(200)),
    ("discussions.unread", "GET"): ({}, members(200)),
    ("discussions.overview", "GET"): ({}, members(200)),
    # "Mark all read" needs no field: every member's own marks move, back to the Latest feed.
    ("discussions.mark_all_read", "POST"): ({}, members("→/discussions/", "POST")),
    ("discussions.category", "GET"): (CATEGORY, members(200)),
    ("discussions.new_thread", "GET"): (CATEGORY, members(200)),
    ("discussions.new_thread", "POST"): (CATEGORY, members(400, "POST")),
    ("discussions.thread", "GET"): (THREAD, members(200)),
    ("discussions.first_unread", "GET"): (THREAD, members("→/discussions/t/1")),
    ("discussions.show_post", "GET"): (OWN_POST, members("→/discussions/t/1#post-1")),
    ("discussions.updates", "GET"): (THREAD, members(200)),
    ("discussions.save_thread_draft", "POST"): (THREAD, members("→/discussions/t/1#reply-heading", "POST")),
    ("discussions.discard_thread_draft", "POST"): (THREAD, members("→/discussions/t/1#reply-heading", "POST")),
    ("discussions.reply", "GET"): (THREAD, members(200)),
    ("discussions.reply", "POST"): (THREAD, members(400, "POST")),
    ("discussions.edit_post", "GET"): (OWN_POST, roles(200, 403, 403, 200)),
    ("discussions.edit_post", "POST"): (OWN_POST, roles(400, 403, 403, 400, "POST")),
    ("discussions.history", "GET"): (OWN_POST, roles(200, 403, 403, 200)),
    # Removing asks first (200: the confirmation step, nothing changes): the alumna may delete her own
    # reply, the admin may remove it; restoring is for who removed it, so nobody here (it is not removed).
    ("discussions.remove_post", "POST"): (REPLY_POST, roles(403, 200, 403, 200, "POST")),
    ("discussions.restore_post", "POST"): (REPLY_POST, members(403, "POST")),
    ("discussions.flag_post", "GET"): (OWN_POST, members(200)),
    ("discussions.flag_post", "POST"): (OWN_POST, members(400, "POST")),
    ("discussions.subscription", "POST"): (THREAD, members(400, "POST")),
    # The account page's "stop replies by email" (400: the matrix sends no action).
    ("discussions.reply_by_email", "POST"): ({}, members(400, "POST")),
    ("discussions.pin", "POST"): (COHORT_THREAD, cohort_moderation(400, "POST")),
    ("discussions.lock", "POST"): (COHORT_THREAD, cohort_moderation(400, "POST")),
    ("discussions.move", "GET"): (COHORT_THREAD, cohort_moderation(200)),
    ("discussions.move", "POST"): (COHORT_THREAD, cohort_moderation(400, "POST")),
    # Nothing in post 1 looks like an identifier: its author and the admin are told so.
    ("discussions.redact", "POST"): (OWN_POST, roles("→/discussions/p/1", 403, 403, "→/discussions/p/1", "POST")),
    ("discussions.approve", "POST"): (REPLY_POST, admin_only("→/discussions/moderation", "POST")),
    ("discussions.moderation", "GET"): ({}, roles(403, 403, 200, 200)),
    ("discussions.resolve_flag", "POST"): ({"flag_id": "@flag_id"}, admin_only(400, "POST")),
    # Marking the alumna's reply helpful: anyone who sees it but her (403 for her own post); the page comes
    # back at the post. Accepting it as the answer: the thread's author (the fellow) and the admin, who then
    # get 400 (no value sent); the alumna and faculty (no moderator of the open category) 403.
    ("discussions.helpful", "POST"): (REPLY_POST, roles("→/discussions/p/2", 403, "→/discussions/p/2",
                                                        "→/discussions/p/2", "POST")),
    ("discussions.answer", "POST"): (REPLY_POST, roles(400, 403, 403, 400, "POST")),
    ("discussions.search", "GET"): ({}, members(200)),
    ("discussions.categories", "GET"): ({}, admin_only(200)),
    ("discussions.new_category", "GET"): ({}, admin_only(200)),
    ("discussions.new_category", "POST"): ({}, admin_only(400, "POST")),
    ("discussions.edit_category", "GET"): ({"category_id": "@category_id"}, admin_only(200)),
    ("discussions.edit_category", "POST"): ({"category_id": "@category_id"}, admin_only(400, "POST")),
    ("discussions.move_category", "POST"): ({"category_id": "@category_id"}, admin_only(400, "POST")),
    ("discussions.delete_category", "POST"): ({"category_id": "@empty_category_id"}, admin_only(200, "POST")),
    ("notifications.index", "GET"): ({}, members(200)),
    ("notifications.open_notification", "POST"): ({"notification_id": "@notification_id"},
                                                  roles("→/discussions/p/2", 404, 404, 404, "POST")),
    ("notifications.read_all", "POST"): ({}, members("→/notifications/", "POST")),
    ("notifications.settings", "GET"): ({}, members(200)),
    ("notifications.settings", "POST"): ({}, members(400, "POST")),
}


def prepare(app, people, make_user):
    """The categories, threads, posts, flag and notification the rows above act on."""

    from network.discussions.models import CategoryVisibility
    from network.discussions.services import categories, flags, posting
    from network.extensions import db
    from network.members.models import User
    from network.notifications.services import notify
    from network.programs.models import CohortMembership, CohortRole, ProgramStaff

    fellow = people.get("fellow") or make_user(role="fellow")
    alumni = people.get("alumni") or make_user(role="alumni")
    faculty = people.get("faculty") or make_user(role="faculty")
    with app.test_request_context():
        program, cohort = program_with_cohort("matrix", "Matrix Program", "Matrix Hospital")
        db.session.add_all([CohortMembership(cohort_id=cohort.id, user_id=fellow.id, role=CohortRole.FELLOW),
                            CohortMembership(cohort_id=cohort.id, user_id=faculty.id, role=CohortRole.FACULTY),
                            ProgramStaff(program_id=program.id, user_id=faculty.id, role="director")])
        staff_history(people.get("ex_staff"), program.id, cohort.id)
        open_category = categories.save_category(None, None, name="Open talk", description="",
                                                 visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                                 holds_phi_matches=False)
        cohort_category = categories.save_category(None, None, name="Matrix cohort", description="",
                                                   visibility=CategoryVisibility.COHORT, cohort_id=cohort.id,
                                                   holds_phi_matches=False)
        empty = categories.save_category(None, None, name="Faculty lounge", description="",
                                         visibility=CategoryVisibility.FACULTY, cohort_id=None,
                                         holds_phi_matches=False)
        fellow_user, alumni_user = db.session.get(User, fellow.id), db.session.get(User, alumni.id)
        thread, first = posting.start_thread(fellow_user, open_category, "Open thread", "The opening post.")
        answer = posting.reply(alumni_user, thread, "A reply from an alumna.")
        cohort_thread, _ = posting.start_thread(fellow_user, cohort_category, "Cohort thread", "For the cohort only.")
        flag = flags.flag_post(fellow_user, answer, "Off topic")
        notification = notify(fellow.id, "test", "A test notification", f"/discussions/p/{answer.id}")
        db.session.commit()
        assert (open_category.id, cohort_category.id, empty.id, thread.id, first.id, answer.id, cohort_thread.id) \
            == (1, 2, 3, 1, 1, 2, 2)
        return {"category_slug": open_category.slug, "category_id": open_category.id, "empty_category_id": empty.id,
                "thread_id": thread.id, "cohort_thread_id": cohort_thread.id, "fellow_post_id": first.id,
                "alumni_post_id": answer.id, "flag_id": flag.id, "notification_id": notification.id}
