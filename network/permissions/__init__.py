"""Yes/no answers about what a member may do, used by routes, services and templates alike.

Every ``can_*`` rule of the network lives in this package, one module per area (``members``,
``programs`` with matching rounds, ``discussions``, ``mentoring``, ``opportunities``), and is imported
from here: ``from network.permissions import can_view_thread``. Templates reach the same functions as
``permissions.<name>`` (a Jinja global registered in ``network.templating``), so a hidden button and a
refused URL never disagree; ``tests/test_permissions_module.py`` fails if a rule is written anywhere else.

The rules read plain attributes of the objects passed in and import only the models below the feature
areas (members, programs, cohorts and their memberships). Where a list needs a rule as a SQL condition
(``visible_categories``, ``moderated_categories``, ``visible_threads``, ``managed_programs``), the
condition sits next to the rule it mirrors.
"""

from network.permissions.discussions import (
    PostActions,
    can_be_answer,
    can_edit_post,
    can_manage_categories,
    can_mark_answer,
    can_moderate,
    can_moderate_anything,
    can_react,
    can_redact_post,
    can_remove_post,
    can_reply,
    can_restore_post,
    can_see_history,
    can_view_category,
    can_view_post,
    can_view_thread,
    moderated_categories,
    post_actions_on_page,
    reactions_on_page,
    visible_categories,
    visible_threads,
    who_can_view_category,
)
from network.permissions.members import (
    administers,
    can_place_in_cohort,
    can_see,
    can_see_field,
    can_verify_members,
    has_role,
    is_member,
    reaches_others,
)
from network.permissions.mentoring import (
    can_ask_for_mentoring,
    can_change_meeting,
    can_look_for_mentors,
    can_offer_mentoring,
    can_read_meeting_notes,
)
from network.permissions.opportunities import (
    FELLOW_OPPORTUNITY_KINDS,
    can_edit_opportunity,
    can_post_opportunity,
    can_remove_opportunity,
    can_see_interested,
    can_view_opportunity,
    posts_every_kind,
)
from network.permissions.programs import (
    MENTOR_ROLES,
    can_be_program_staff,
    can_change_pool_place,
    can_join_pool,
    can_list_programs,
    can_manage_cohort,
    can_manage_program,
    can_manage_round,
    can_open_rounds,
    can_place_on_verification,
    can_rank_mentors,
    can_read_audit_log,
    can_review_fellows,
    can_view_round,
    cohort_roles,
    managed_program_ids,
    managed_programs,
    manages_any_program,
    may_mentor_in_rounds,
    runs_every_program,
    sees_other_rounds,
    shows_programs_menu,
)
from network.permissions.scholarly import can_answer_authorship, can_change_item

__all__ = [
    "FELLOW_OPPORTUNITY_KINDS", "MENTOR_ROLES", "PostActions", "administers", "can_ask_for_mentoring",
    "can_be_program_staff", "can_change_meeting", "can_change_pool_place", "can_edit_opportunity", "can_edit_post",
    "can_join_pool", "can_list_programs", "can_look_for_mentors", "can_manage_categories", "can_manage_cohort",
    "can_manage_program", "can_manage_round", "can_moderate", "can_moderate_anything", "can_offer_mentoring",
    "can_open_rounds", "can_place_in_cohort", "can_place_on_verification", "can_post_opportunity", "can_rank_mentors",
    "can_read_audit_log", "can_read_meeting_notes", "can_redact_post", "can_remove_opportunity", "can_remove_post",
    "can_reply", "can_restore_post", "can_review_fellows", "can_see", "can_see_field", "can_see_history",
    "can_see_interested", "can_verify_members", "can_view_category", "can_view_opportunity", "can_view_post",
    "can_view_round", "can_view_thread", "cohort_roles", "has_role", "is_member", "managed_program_ids",
    "managed_programs", "manages_any_program", "may_mentor_in_rounds", "moderated_categories", "post_actions_on_page",
    "posts_every_kind", "reaches_others", "runs_every_program", "sees_other_rounds", "shows_programs_menu",
    "visible_categories", "visible_threads", "who_can_view_category",
    # reactions and accepted answers
    "can_be_answer", "can_mark_answer", "can_react", "reactions_on_page",
    # scholarly items
    "can_answer_authorship", "can_change_item",
]
