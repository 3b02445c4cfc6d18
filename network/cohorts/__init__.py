"""Running a cohort: invitations, roster import, the dashboard and graduation."""
