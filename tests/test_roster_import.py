"""CSV roster import: every file error class writes nothing; every row problem is shown in the
preview; importing the valid rows invites everyone, existing members included (they join only when they
accept); 500 rows in seconds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from network.cohorts.models import Invitation, RosterImport
from network.cohorts.roster import ERROR, INVITE, SKIP, RosterFileError, classify, counts, mark_invited, read_roster
from network.extensions import db
from network.mail.models import EmailOutbox
from network.programs.models import CohortMembership
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_programs import make_program
from tests.uploads import post_file

BACKGROUNDS = {"anesthesiology": 1, "pm&r": 2, "pmr": 2}
HEADER = "name,email,role,training background,pager\n"


# -- the parser alone ----------------------------------------------------------------


def test_each_row_problem_is_named():
    rows = read_roster((HEADER +
                        "Dr. Good,good@example.org,fellow,Anesthesiology,1234\n"
                        "Dr. Bad Mail,not-an-email,fellow,anesthesiology,\n"
                        "Dr. Twice,GOOD@example.org,fellow,pmr,\n"
                        "Dr. Unknown,unknown@example.org,fellow,Dermatology,\n"
                        ",noname@example.org,faculty,,\n"
                        "Dr. Odd Role,odd@example.org,janitor,,\n").encode(), "roster.csv", BACKGROUNDS)
    assert [r.outcome for r in rows] == [INVITE, ERROR, ERROR, ERROR, ERROR, ERROR]
    assert rows[0].background_id == 1 and rows[0].extras == {"pager": "1234"}
    assert "not a valid email" in rows[1].problems[0]
    assert "duplicate of line 2" in rows[2].problems[0]
    assert "“Dermatology” is unknown" in rows[3].problems[0]
    assert rows[4].problems == ["The name is missing."]
    assert "janitor" in rows[5].problems[0]


def test_rows_with_patient_identifiers():
    rows = read_roster((HEADER +
                        "Pt John Smith MRN 1234567,a@example.org,fellow,,\n"
                        "Dr. Lena Ortiz,b@example.org,fellow,,DOB 01/02/1960\n"
                        "Lena Ortiz,c@example.org,fellow,,617-555-0134\n"
                        "Maria Garcia,d@example.org,fellow,,1234\n").encode(), "roster.csv", BACKGROUNDS)
    assert [r.outcome for r in rows] == [ERROR, ERROR, INVITE, INVITE]
    assert rows[0].problems == [("This row looks like it holds patient identifiers "
                                 "(medical record number, name of a patient or relative): remove them.")]
    assert "(date of birth)" in rows[1].problems[0]
    # Strong identifiers are not kept, not even in the staged preview.
    assert "1234567" not in rows[0].name and "John Smith" not in rows[0].name
    assert "01/02/1960" not in rows[1].extras["pager"]
    # A weaker match is named for the author to check; a plain name in the name column is no match.
    assert rows[2].phi == "phone or fax number" and rows[2].extras == {"pager": "617-555-0134"}
    assert rows[3].phi == ""


def test_an_existing_member_is_invited_never_added():
    rows = read_roster((HEADER + "Dr. New,new@example.org,fellow,,\n"
                        "Dr. Member,member@example.org,fellow,,\n"
                        "Dr. In,in@example.org,fellow,,\n").encode(), "roster.csv", BACKGROUNDS)
    classify(rows, {"member@example.org": 7, "in@example.org": 8}, {"in@example.org"}, set())
    assert [(r.outcome, r.member) for r in rows] == [(INVITE, False), (INVITE, True), (SKIP, False)]
    assert rows[1].reason == "already a member: will be invited, and joins only if they accept"
    assert counts([r.as_dict() for r in rows]) == {INVITE: 2, SKIP: 1, ERROR: 0, "members": 1}
    mark_invited(rows)
    assert [r.reason for r in rows] == ["invited", "already a member: invited, joins when they accept",
                                        "already in this cohort"]
    # A row staged under the old rule ("add") counts as an invitation to a member.
    assert counts([{**rows[1].as_dict(), "outcome": "add"}]) == {INVITE: 1, SKIP: 0, ERROR: 0, "members": 1}


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"name,email\n", "roster.xlsx", "not a CSV file"),
    (b"PK\x03\x04\x00\x00binary", "roster.csv", "not a CSV file"),
    ("name,email,role,training background\nJosé,jose@example.org,fellow,\n".encode("latin-1"), "r.csv", "not UTF-8"),
    (b"name,email,role\nA,a@example.org,fellow\n", "roster.csv", "training background"),
    (b"", "roster.csv", "empty"),
    (HEADER.encode() + b"".join(b"Dr. N,n%d@example.org,fellow,,\n" % n for n in range(2001)), "r.csv", "2,001 rows"),
    (b"x" * (1024 * 1024 + 1), "roster.csv", "larger than 1 MB"),
])
def test_file_errors(data, filename, message):
    with pytest.raises(RosterFileError, match=message):
        read_roster(data, filename, BACKGROUNDS)


def test_excel_style_bom_and_semicolon_free_quoting_are_read():
    rows = read_roster(("\ufeff" + HEADER + '"Martins, Sofia",sofia@example.org,Faculty,PM&R,\n').encode(),
                       "roster.csv", BACKGROUNDS)
    assert rows[0].name == "Martins, Sofia" and rows[0].role == "faculty" and rows[0].background_id == 2


# -- through the pages -------------------------------------------------------------------


def upload(client, cohort_id, data: bytes, filename="roster.csv"):
    return post_file(client, f"/cohorts/{cohort_id}/import", "roster", data, filename)


def written(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Invitation, RosterImport, EmailOutbox)}


def test_preview_then_import_then_summary(app, make_user, login):
    setup = make_program(app, make_user, fellows=1)
    member = make_user(role="fellow", email="member@example.org")
    client = login(app.test_client(), setup["director"])
    data = (HEADER +
            "Dr. New One,new1@example.org,fellow,Anesthesiology,\n"
            "Dr. New Two,new2@example.org,faculty,,\n"
            f"Dr. Member,{member.email},fellow,,\n"
            f"Dr. In Cohort,{setup['fellows'][0].email},fellow,,\n"
            "Dr. Bad,bad-address,fellow,,\n"
            "Dr. Unknown,unknown@example.org,fellow,Cardiology,\n").encode()
    staged = upload(client, setup["cohort"], data)
    assert staged.status_code == 302
    assert written(app)["Invitation"] == 0  # nothing imported before the preview is confirmed
    preview = client.get(staged.headers["Location"])
    assert preview.status_code == 200 and not check_page(preview.data)
    text = preview.get_data(as_text=True)
    assert "“bad-address” is not a valid email address." in text
    assert "The training background “Cardiology” is unknown." in text
    assert "already a member: will be invited, and joins only if they accept" in text
    assert "already in this cohort" in text
    assert "<strong>3</strong> will be invited, <strong>1</strong> of them already members" in text
    assert "Import 3 valid rows" in text
    done = client.post(staged.headers["Location"])
    assert done.status_code == 302
    summary = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "<strong>3</strong> invited" in summary and "<strong>1</strong> of them already have an account" in summary
    assert "<strong>3</strong> skipped" in summary and "Line 6 (bad-address)" in summary
    assert "will be invited" not in summary  # after importing, the rows say what was done
    assert sorted(m.recipient for m in outbox(app, "cohort-invitation")) == [
        "member@example.org", "new1@example.org", "new2@example.org"]
    with app.app_context():
        # The existing member is invited, not placed: they join when they accept.
        assert not db.session.scalar(select(CohortMembership.id).filter_by(cohort_id=setup["cohort"],
                                                                            user_id=member.id))
    # Importing the same staged file twice does nothing more.
    assert client.post(staged.headers["Location"]).status_code == 409
    assert len(outbox(app, "cohort-invitation")) == 3


def test_the_preview_refuses_strong_identifiers_and_marks_weaker_ones(app, make_user, login):
    setup = make_program(app, make_user, fellows=0)
    client = login(app.test_client(), setup["director"])
    data = (HEADER +
            "Pt John Smith MRN 1234567,a@example.org,fellow,,\n"
            "Dr. Lena Ortiz,b@example.org,fellow,,617-555-0134\n"
            "Dr. Plain Name,c@example.org,fellow,,\n").encode()
    staged = upload(client, setup["cohort"], data)
    assert staged.status_code == 302
    preview = client.get(staged.headers["Location"])
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and not check_page(preview.data)
    assert "This row looks like it holds patient identifiers" in text and "1234567" not in text
    assert '<mark title="phone or fax number">617-555-0134</mark>' in text
    assert "Check the highlighted text before importing" in text
    assert "Import 2 valid rows" in text
    with app.app_context():
        assert "1234567" not in str(db.session.scalars(select(RosterImport.rows)).one())
    client.post(staged.headers["Location"])
    assert sorted(m.recipient for m in outbox(app, "cohort-invitation")) == ["b@example.org", "c@example.org"]


@pytest.mark.parametrize(("data", "filename", "status", "message"), [
    (b"name,email\nA,a@example.org\n", "roster.csv", 400, b"lacks the column"),
    ("name,email,role,training background\nJos\u00e9,j@example.org,fellow,\n".encode("utf-16"), "r.csv", 400,
     b"not UTF-8"),
    (b"a;b;c", "roster.txt", 400, b"not a CSV file"),
    (b"x" * (1024 * 1024 + 10), "roster.csv", 413, b"larger than 1 MB"),
])
def test_wrong_files_get_a_clear_message_and_write_nothing(app, make_user, login, data, filename, status, message):
    setup = make_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    before = written(app)
    response = upload(client, setup["cohort"], data, filename)
    assert response.status_code == status
    assert message in response.data
    assert written(app) == before
    assert not check_page(response.data)


def test_five_hundred_rows_import_in_seconds(app, make_user, login):
    setup = make_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    data = (HEADER + "".join(f"Dr. Fellow {n},fellow{n}@bulk.example.org,fellow,anesthesiology,\n"
                             for n in range(500))).encode()
    started = time.perf_counter()
    staged = upload(client, setup["cohort"], data)
    done = client.post(staged.headers["Location"])
    elapsed = time.perf_counter() - started
    assert done.status_code == 302
    assert written(app)["Invitation"] == 500
    assert elapsed < 10, f"500 rows took {elapsed:.1f} s"
