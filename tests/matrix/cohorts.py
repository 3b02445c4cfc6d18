"""Access rows for programs, cohorts and the admin wing.

The prepared program has no staff among the matrix's people: its former staff member (still a faculty
advisor of its cohort), the director of another program and a faculty member who runs no program all
get 404 on every page and export of it. Fellows and alumni get 403 on every management page; the
invitation page is public (a bad token is 404 for everyone)."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, everyone, staff_history


def staff(admin, faculty=404, get=True, ex_staff=None, other_staff=None):
    """Management pages: admins get ``admin``; faculty who do not run the program ``faculty`` (the former
    staff member and the other program's director too, unless given)."""
    return {"anonymous": LOGIN, "pending": PENDING if get else 403, "fellow": 403, "alumni": 403,
            "faculty": faculty, "ex_staff": faculty if ex_staff is None else ex_staff,
            "other_staff": faculty if other_staff is None else other_staff, "admin": admin}


def admin_only(admin, get=True):
    return staff(admin, faculty=403, get=get)


COHORT = {"cohort_id": "@cohort"}

ROUTES = {
    ("programs.index", "GET"): ({}, staff(200, faculty=200)),
    ("programs.show", "GET"): ({"slug": "@program_slug"}, staff(200)),
    ("programs.create_cohort", "POST"): ({"slug": "@program_slug"}, staff(400, get=False)),
    ("cohorts.roster", "GET"): (COHORT, staff(200)),
    ("cohorts.invite", "POST"): (COHORT, staff(400, get=False)),
    # Placing a member without an invitation: administrators only (faculty invite; the member accepts).
    ("cohorts.place_member", "POST"): (COHORT, admin_only(400, get=False)),
    ("cohorts.resend_invitation", "POST"): ({**COHORT, "invitation_id": "@invitation"},
                                            staff("→@roster_url", get=False)),
    # Revoking, deactivating and removing staff ask first: 200 is the confirmation step, nothing changes
    # (tests/test_confirmations.py confirms them).
    ("cohorts.revoke_invitation", "POST"): ({**COHORT, "invitation_id": "@invitation"}, staff(200, get=False)),
    ("cohorts.import_roster", "GET"): (COHORT, staff(200)),
    ("cohorts.import_roster", "POST"): (COHORT, staff(400, get=False)),
    ("cohorts.import_preview", "GET"): ({**COHORT, "import_id": "@staged"}, staff(200)),
    ("cohorts.run_import", "POST"): ({**COHORT, "import_id": "@staged"}, staff("→@import_url", get=False)),
    ("cohorts.dashboard", "GET"): (COHORT, staff(200)),
    ("cohorts.chart", "GET"): ({**COHORT, "name": "coverage"}, staff(200)),
    ("cohorts.export_roster", "GET"): (COHORT, staff(200)),
    ("cohorts.export_mentorships", "GET"): (COHORT, staff(200)),
    ("cohorts.graduate", "GET"): (COHORT, staff(200)),
    ("cohorts.graduate", "POST"): (COHORT, staff("→@roster_url", get=False)),
    ("cohorts.undo_graduation", "POST"): ({"cohort_id": "@graduated"}, staff("→@graduated_url", get=False)),
    ("cohorts.accept_invitation", "GET"): ({"token": "not-a-token"}, everyone(404)),
    ("cohorts.accept_invitation", "POST"): ({"token": "not-a-token"}, everyone(404)),
    ("admin.index", "GET"): ({}, admin_only(200)),
    ("admin.members", "GET"): ({}, admin_only(200)),
    ("admin.change_role", "POST"): ({"user_id": "@member"}, admin_only(400, get=False)),
    ("admin.deactivate_member", "POST"): ({"user_id": "@member"}, admin_only(200, get=False)),
    ("admin.reactivate_member", "POST"): ({"user_id": "@member"}, admin_only(409, get=False)),
    ("admin.programs", "GET"): ({}, admin_only(200)),
    ("admin.programs", "POST"): ({}, admin_only(400, get=False)),
    ("admin.edit_program", "GET"): ({"program_id": "@program"}, admin_only(200)),
    ("admin.edit_program", "POST"): ({"program_id": "@program"}, admin_only(400, get=False)),
    ("admin.add_staff", "POST"): ({"program_id": "@program"}, admin_only(400, get=False)),
    ("admin.remove_staff", "POST"): ({"program_id": "@program", "staff_id": "@staff"}, admin_only(200, get=False)),
    ("admin.audit_log", "GET"): ({}, staff(200, faculty=200)),
}


def prepare(app, people, make_user):
    """A program nobody in the matrix runs (ex-staff ran it), with an ended cohort (an invitation, a
    staged import, ex-staff as a faculty advisor) and a graduated one that can still be undone."""
    from datetime import date

    from network.cohorts.models import Graduation, Invitation, RosterImport
    from network.extensions import db
    from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff

    director = make_user(role="faculty", name="Dr. Other Director")
    fellow = make_user(role="fellow")
    member = make_user(role="alumni")
    with app.app_context():
        program = Program(slug="matrix-program", name="Matrix Program", institution="Matrix Hospital")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="Class of 2026", start_date=date(2025, 7, 1),
                        end_date=date(2026, 6, 30))
        graduated = Cohort(program_id=program.id, name="Class of 2025", start_date=date(2024, 7, 1),
                           end_date=date(2025, 6, 30))
        db.session.add_all([cohort, graduated])
        db.session.flush()
        from network.types import utcnow

        graduated.graduated_at = utcnow()
        staff_row = ProgramStaff(program_id=program.id, user_id=director.id, role="director")
        db.session.add_all([
            staff_row,
            CohortMembership(cohort_id=cohort.id, user_id=fellow.id, role=CohortRole.FELLOW),
            Graduation(cohort_id=graduated.id, graduated_by_id=director.id, changes={"users": [], "mentorships": []}),
        ])
        invitation = Invitation(cohort_id=cohort.id, email="invited@example.org", role=CohortRole.FELLOW,
                                token_hash="0" * 64)
        staff_history(people.get("ex_staff"), program.id, cohort.id)
        staged = RosterImport(cohort_id=cohort.id, filename="roster.csv", rows=[
            {"line": 2, "name": "Dr. New Fellow", "email": "new.fellow@example.org", "role": "fellow",
             "background": "", "background_id": None, "extras": {}, "problems": [], "outcome": "invite",
             "reason": "will be invited"}])
        db.session.add_all([invitation, staged])
        db.session.commit()
        return {"program": program.id, "program_slug": program.slug, "cohort": cohort.id, "graduated": graduated.id,
                "invitation": invitation.id, "staged": staged.id, "staff": staff_row.id, "member": member.id,
                "roster_url": f"/cohorts/{cohort.id}", "graduated_url": f"/cohorts/{graduated.id}",
                "import_url": f"/cohorts/{cohort.id}/import/{staged.id}",
                "program_url": f"/admin/programs/{program.id}"}
