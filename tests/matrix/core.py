"""Access rows for the foundation: pages, accounts, admin verification."""

from __future__ import annotations

from sqlalchemy import select

from network.extensions import db
from network.members.models import Registration
from network.programs.models import ProgramStaff
from tests.matrix.common import ACCOUNT, ADMIN_LIST, HOME, LOGIN, PENDING, everyone, members

TWO_FACTOR = "→/auth/account/two-factor"
TWO_FACTOR_SETUP = "→/auth/account/two-factor/setup"

# (endpoint, method) -> (URL arguments, {role: status code or "→/redirect/path"}).
# POSTs send an empty form (CSRF is tested on its own in test_csrf.py).
ROUTES = {
    ("static", "GET"): ({"filename": "css/app.css"}, everyone(200)),
    ("bootstrap.static", "GET"): ({"filename": "css/bootstrap.min.css"}, everyone(200)),
    ("main.index", "GET"): ({}, members(200, PENDING, 200)),
    ("main.pending", "GET"): ({}, members(LOGIN, 200, HOME)),
    ("main.counts", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("main.healthz", "GET"): ({}, everyone(200)),
    ("auth.register", "GET"): ({}, members(200, HOME, HOME)),
    ("auth.register", "POST"): ({}, members(400, HOME, HOME)),
    ("auth.login", "GET"): ({}, members(200, HOME, HOME)),
    ("auth.login", "POST"): ({}, members(400, HOME, HOME)),
    ("auth.logout", "POST"): ({}, everyone(HOME)),
    ("auth.confirm_email", "GET"): ({"token": "not-a-token"}, everyone(400)),
    ("auth.resend_confirmation", "POST"): ({}, members(LOGIN, PENDING, ACCOUNT)),
    ("auth.forgot_password", "GET"): ({}, everyone(200)),
    ("auth.forgot_password", "POST"): ({}, everyone(400)),
    ("auth.reset_password", "GET"): ({"token": "not-a-token"}, everyone(400)),
    ("auth.reset_password", "POST"): ({"token": "not-a-token"}, everyone(400)),
    ("auth.account", "GET"): ({}, members(LOGIN, 200, 200)),
    ("auth.change_password", "POST"): ({}, members(LOGIN, 400, 400)),
    ("auth.sign_out_everywhere", "POST"): ({}, members(LOGIN, ACCOUNT, ACCOUNT)),
    ("auth.end_member_session", "POST"): ({"session_id": 999999}, members(LOGIN, 404, 404)),
    # API tokens are for verified members; an empty form is refused with the page again, and another
    # member's token (or none) is a 404.
    ("auth.create_api_token", "POST"): ({}, members(LOGIN, 403, 400)),
    ("auth.revoke_api_token", "POST"): ({"token_id": 999999}, members(LOGIN, 403, 404)),
    ("auth.login_code", "GET"): ({}, members(LOGIN, HOME, HOME)),
    ("auth.login_code", "POST"): ({}, members(LOGIN, HOME, HOME)),
    ("auth.two_factor_status", "GET"): ({}, members(LOGIN, 200, 200)),
    ("auth.two_factor_start", "POST"): ({}, members(LOGIN, TWO_FACTOR_SETUP, TWO_FACTOR_SETUP)),
    ("auth.two_factor_setup", "GET"): ({}, members(LOGIN, TWO_FACTOR, TWO_FACTOR)),
    ("auth.two_factor_enable", "POST"): ({}, members(LOGIN, TWO_FACTOR, TWO_FACTOR)),
    ("auth.two_factor_cancel", "POST"): ({}, members(LOGIN, TWO_FACTOR, TWO_FACTOR)),
    ("auth.two_factor_disable", "POST"): ({}, members(LOGIN, TWO_FACTOR, TWO_FACTOR)),
    ("auth.two_factor_new_codes", "POST"): ({}, members(LOGIN, TWO_FACTOR, TWO_FACTOR)),
    ("admin.pending_members", "GET"): ({}, members(LOGIN, PENDING, 403, 200)),
    # Only administrators verify, even the staff of the program the pending member named (other_staff).
    ("admin.verify_member", "GET"): ({"user_id": "@pending_member"}, members(LOGIN, PENDING, 403, 200)),
    ("admin.verify_member", "POST"): ({"user_id": "@pending_member"}, members(LOGIN, 403, 403, ADMIN_LIST)),
    ("admin.reject_member", "GET"): ({"user_id": "@pending_member"}, members(LOGIN, PENDING, 403, 200)),
    # An empty form has no reason: refused, and the registration still waits.
    ("admin.reject_member", "POST"): ({"user_id": "@pending_member"}, members(LOGIN, 403, 403, 400)),
}


def prepare(app, people, make_user):
    """A pending member for the admin decisions to act on, who named other_staff's program."""
    pending = make_user(role="fellow", status="pending")
    if "other_staff" in people:
        with app.app_context():
            program_id = db.session.scalar(select(ProgramStaff.program_id)
                                           .where(ProgramStaff.user_id == people["other_staff"].id))
            db.session.add(Registration(user_id=pending.id, program_id=program_id, training_year=5))
            db.session.commit()
    return {"pending_member": pending.id}
