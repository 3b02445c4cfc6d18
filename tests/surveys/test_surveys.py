"""Alumni outcome surveys: results only for groups of at least 3, the free text for the director alone, each
alumnus's answers their own, staff of another program shut out, answers frozen once closed, and a scheduler that
sends each invitation and reminder once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.surveys.models import SurveyInvitation, SurveyResponse
from network.surveys.results import class_results, group_classes
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.surveys.helpers import answer, build, form
from tests.test_words import visible_text


def text(response) -> str:
    return visible_text(response.get_data(as_text=True))


def test_small_classes_merge_with_a_neighbour_and_a_group_under_3_stays_hidden():
    assert group_classes([("2023", 2), ("2024", 1)]) == [["2023", "2024"]]
    assert group_classes([("2023", 2), ("2024", 4), ("2025", 3)]) == [["2023", "2024"], ["2025"]]
    assert group_classes([("2023", 3), ("2024", 1)]) == [["2023", "2024"]]  # the newest joins the one before
    assert group_classes([("2023", 1), ("2024", 1)]) == [["2023", "2024"]]  # 2 in all: hidden by the caller


def test_a_class_with_2_answers_shows_no_figures_until_a_neighbour_joins_it(app, make_user, login):
    world = build(app, make_user, {2024: 3, 2025: 3})
    for member in world.alumni[2024][:2]:
        answer(app, world.survey, member, satisfaction=2, comments="")
    client = login(app.test_client(), world.director)
    page = client.get(f"/surveys/{world.survey}/results")
    assert page.status_code == 200 and check_page(page.data) == []
    words = text(page)
    assert "Fewer than 3 alumni of the class of 2024 have answered" in words
    assert "results-summary" not in page.get_data(as_text=True) and "Mean satisfaction" not in words
    # The class page says "fewer than 3", not 2.
    assert "fewer than 3" in text(client.get(f"/surveys/{world.survey}"))
    # One answer from the Class of 2025: together they reach 3, shown as one group.
    answer(app, world.survey, world.alumni[2025][0], satisfaction=5)
    words = text(client.get(f"/surveys/{world.survey}/results"))
    assert "Classes of 2024–2025" in words and "Fewer than 3" not in words
    with app.app_context():
        [merged] = class_results(world.program)
    assert (merged.label, merged.count, merged.satisfaction, merged.satisfaction_mean) == \
        ("Classes of 2024–2025", 3, (0, 2, 0, 0, 1), 3.0)


def test_class_results_keep_each_class_of_3_apart_and_run_a_constant_number_of_queries(
        app, make_user, count_queries):
    world = build(app, make_user, {2023: 3, 2024: 12})
    for member in world.alumni[2023]:
        answer(app, world.survey, member, position="research")
    counts = []
    for members in (world.alumni[2024][:3], world.alumni[2024][3:]):
        for member in members:
            answer(app, world.survey, member, position="owner")
        with app.app_context(), count_queries() as statements:
            results = class_results(world.program, academic_year=datetime.now(UTC).year - (
                1 if datetime.now(UTC).month < 7 else 0))
        counts.append(len(statements))
    assert counts[0] == counts[1] == 1
    assert [(r.label, r.count, dict(r.positions)["Mainly research"]) for r in results] == \
        [("Class of 2023", 3, 3), ("Class of 2024", 12, 0)]
    with app.app_context():
        assert class_results(world.program, academic_year=2001) == []


def test_the_results_partial_renders_class_results_for_another_page(app, make_user):
    """The annual evaluation pack includes ``surveys/_results.html`` with ``class_results``: tables, no charts
    unless it passes their addresses, and a hidden group's sentence instead of its figures."""
    from flask import render_template

    world = build(app, make_user, {2024: 3, 2025: 2})
    for member in world.alumni[2024]:
        answer(app, world.survey, member, satisfaction=5)
    with app.test_request_context():
        html = render_template("surveys/_results.html", results=class_results(world.program), heading_level=3)
    words = visible_text(html)
    assert "Class of 2024" in words and "<h3" in html and "<img" not in html and "Fewer than" not in words
    answer(app, world.survey, world.alumni[2025][0])
    with app.test_request_context():
        words = visible_text(render_template("surveys/_results.html", results=class_results(world.program)))
    assert "Classes of 2024–2025" in words and "Class of 2024 " not in words


def _survey_urls(app, world) -> list[tuple[str, str]]:
    """Every URL of the surveys blueprint, with this program's survey, as (method, url)."""
    from flask import url_for

    with app.app_context():
        token = "not-theirs"
        arguments = {"program_id": world.program, "survey_id": world.survey, "name": "settings", "token": token}
        urls = []
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if rule.endpoint.startswith("surveys."):
                    url = url_for(rule.endpoint, **{name: arguments[name] for name in rule.arguments})
                    urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def test_staff_of_another_program_get_404_on_every_survey_url(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    answer(app, world.survey, world.alumni[2025][0])
    urls = _survey_urls(app, world)
    assert len(urls) >= 11
    client = login(app.test_client(), world.other_director)
    answers = {(method, url): client.open(url, method=method).status_code for method, url in urls}
    assert set(answers.values()) == {404}, answers
    staff = login(app.test_client(), world.coordinator)
    assert staff.get(f"/surveys/{world.survey}").status_code == 200


def test_an_alumnus_sees_only_their_own_answers(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    alice, bob, _ = world.alumni[2025]
    answer(app, world.survey, alice, comments="ALICE-PRIVATE-REMARK", publications=17)
    bob_client = login(app.test_client(), bob)
    page = bob_client.get(f"/surveys/{world.survey}/answer")
    assert page.status_code == 200 and check_page(page.data) == []
    assert "ALICE-PRIVATE-REMARK" not in page.get_data(as_text=True) and 'value="17"' not in page.get_data(as_text=True)
    assert bob_client.get(f"/surveys/{world.survey}/results").status_code == 403
    outsider = login(app.test_client(), make_user(role="alumni"))
    assert outsider.get(f"/surveys/{world.survey}/answer").status_code == 404
    # Alice's own page holds her answers.
    mine = login(app.test_client(), alice).get(f"/surveys/{world.survey}/answer").get_data(as_text=True)
    assert "ALICE-PRIVATE-REMARK" in mine and 'value="17"' in mine


def _token_of(mail) -> str:
    return mail.text_body.split("/surveys/link/", 1)[1].split()[0]


def test_the_mailed_link_leads_through_sign_in_to_the_alumnus_survey_and_no_one_elses(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    alice, bob, _ = world.alumni[2025]
    mails = {mail.recipient: mail for mail in outbox(app, "survey-invitation")}
    assert set(mails) == {member.email for member in world.alumni[2025]}
    token = _token_of(mails[alice.email])
    with app.app_context():  # only the hash is kept
        stored = db.session.scalars(select(SurveyInvitation.token_hash)).all()
        assert token not in stored and len(stored) == 3
    visitor = app.test_client().get(f"/surveys/link/{token}")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert "next=" in visitor.headers["Location"]
    followed = login(app.test_client(), alice).get(f"/surveys/link/{token}")
    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"/surveys/{world.survey}/answer")
    assert login(app.test_client(), bob).get(f"/surveys/link/{token}").status_code == 404
    # The link expires when the survey closes.
    director = login(app.test_client(), world.director)
    assert director.post(f"/surveys/{world.survey}/close").status_code == 302
    closed = login(app.test_client(), alice).get(f"/surveys/link/{token}")
    assert closed.status_code == 410 and "has closed" in text(closed)


def test_answering_saves_and_free_text_goes_through_the_patient_identifier_guard(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    alice = world.alumni[2025][0]
    client = login(app.test_client(), alice)
    url = f"/surveys/{world.survey}/answer"
    refused = client.post(url, data=form(comments="Saw Mr. John Smith, MRN 12345678, DOB 01/02/1960 in clinic."))
    assert refused.status_code == 400 and "patient identifiers" in text(refused)
    bad = client.post(url, data=form(satisfaction=9))
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    saved = client.post(url, data=form(comments="Great ultrasound teaching.", satisfaction=5))
    assert saved.status_code == 302
    changed = client.post(url, data=form(comments="Great ultrasound teaching.", satisfaction=3))
    assert changed.status_code == 302
    with app.app_context():
        [response] = db.session.scalars(select(SurveyResponse)).all()
        assert (response.satisfaction, response.comments) == (3, "Great ultrasound teaching.")


def test_free_text_is_shown_to_the_director_only(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    for n, member in enumerate(world.alumni[2025]):
        answer(app, world.survey, member, comments=f"REMARK-{n}")
    director = login(app.test_client(), world.director).get(f"/surveys/{world.survey}/results")
    assert all(f"REMARK-{n}" in director.get_data(as_text=True) for n in range(3))
    admin = make_user(role="admin")
    for viewer in (world.coordinator, admin):
        page = login(app.test_client(), viewer).get(f"/surveys/{world.survey}/results")
        assert page.status_code == 200 and "Class of 2025" in text(page)
        assert "REMARK-" not in page.get_data(as_text=True) and "What alumni wrote" not in text(page)


def test_answers_cannot_change_once_the_survey_is_closed(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    alice = world.alumni[2025][0]
    answer(app, world.survey, alice, satisfaction=4)
    assert login(app.test_client(), world.director).post(f"/surveys/{world.survey}/close").status_code == 302
    client = login(app.test_client(), alice)
    refused = client.post(f"/surveys/{world.survey}/answer", data=form(satisfaction=1))
    assert refused.status_code == 409
    assert "This survey is closed: your answers can no longer be changed." in text(refused)
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse.satisfaction)).all() == [4]
    page = client.get(f"/surveys/{world.survey}/answer")
    assert page.status_code == 200 and "The survey closed on" in text(page) and "Save my answers" not in text(page)


def _mails(app, kind):
    return sorted(mail.recipient for mail in outbox(app, kind))


def test_the_scheduler_sends_each_invitation_and_reminder_once(app, make_user, runner):
    now = datetime.now(UTC)
    world = build(app, make_user, {now.year - 1: 3, now.year - 3: 2, now.year - 2: 2}, send=False)
    from network.programs.models import Cohort
    from network.surveys.models import Survey

    with app.app_context():  # the classes' anniversaries fell yesterday; the survey opened a week ago
        for year, cohort_id in world.classes.items():
            db.session.get(Cohort, cohort_id).graduated_at = (now - timedelta(days=1)).replace(year=year)
        db.session.get(Survey, world.survey).created_at = now - timedelta(days=7)
        db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["surveys", "send"])
        assert result.exit_code == 0, result.output
    due = sorted(m.email for year in (now.year - 1, now.year - 3) for m in world.alumni[year])
    assert _mails(app, "survey-invitation") == due  # 1 and 3 years on; not the class 2 years on
    assert "0 survey invitations" in result.output
    answer(app, world.survey, world.alumni[now.year - 1][0])
    with app.app_context():  # 15 days later
        for invitation in db.session.scalars(select(SurveyInvitation)):
            invitation.sent_at -= timedelta(days=15)
        db.session.commit()
    for _ in range(3):
        assert runner.invoke(args=["surveys", "send"]).exit_code == 0
    assert _mails(app, "survey-reminder") == sorted(set(due) - {world.alumni[now.year - 1][0].email})
    assert _mails(app, "survey-invitation") == due


def test_answers_are_in_the_members_data_and_anonymised_with_the_account(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    for member in world.alumni[2025]:
        answer(app, world.survey, member, comments=f"Note by {member.name}", satisfaction=5)
    alice = world.alumni[2025][0]
    from network.export.services import member_data
    from network.members.models import User
    from network.profiles.services import delete_account

    with app.test_request_context():
        data = member_data(db.session.get(User, alice.id))
        [entry] = data["alumni_surveys"]
        assert entry["answers"]["comments"] == f"Note by {alice.name}"
        assert entry["answers"]["satisfaction_with_training"] == 5
        delete_account(db.session.get(User, alice.id))
        db.session.commit()
        rows = db.session.execute(select(SurveyResponse.user_id, SurveyResponse.comments)
                                  .order_by(SurveyResponse.id)).all()
        assert rows[0] == (None, "") and all(user_id for user_id, _ in rows[1:])
        assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)
                                 .where(SurveyInvitation.user_id == alice.id)) == 0
        [result] = class_results(world.program)
    assert result.count == 3 and result.satisfaction_mean == 5.0  # the program keeps the figures


@pytest.mark.parametrize("viewer", ["fellow", "alumni"])
def test_members_who_do_not_run_the_program_cannot_start_a_survey(app, make_user, login, viewer):
    world = build(app, make_user, {2025: 3})
    client = login(app.test_client(), make_user(role=viewer))
    assert client.post(f"/programs/{world.program}/surveys/new", data={"title": "Mine"}).status_code == 403


def test_staff_start_send_and_close_a_survey(app, make_user, login):
    world = build(app, make_user, {2025: 3})
    client = login(app.test_client(), world.coordinator)
    refused = client.post(f"/programs/{world.program}/surveys/new", data={"title": "Second", "at_one_year": "y"})
    assert refused.status_code == 409  # one open survey at a time
    page = client.get(f"/programs/{world.program}/surveys")
    assert page.status_code == 200 and check_page(page.data) == [] and "Close it before" in text(page)
    resent = client.post(f"/surveys/{world.survey}/send", data={"cohort_id": str(world.classes[2025])},
                         follow_redirects=True)
    assert "Sent to 0 alumni of the Class of 2025. 3 had it already" in text(resent)
    assert client.post(f"/surveys/{world.survey}/send", data={"cohort_id": ""}).status_code == 400
    assert client.post(f"/surveys/{world.survey}/close").status_code == 302
    guarded = client.post(f"/programs/{world.program}/surveys/new",
                          data={"title": "Outcomes", "intro": "Unlike Mr. John Smith, MRN 12345678, you graduated."})
    assert guarded.status_code == 400 and "patient identifiers" in text(guarded) and check_page(guarded.data) == []
    assert check_page(client.get(f"/surveys/{world.survey}").data) == []
    form_page = client.get(f"/programs/{world.program}/surveys/new")
    assert form_page.status_code == 200 and check_page(form_page.data) == []
    new = client.post(f"/programs/{world.program}/surveys/new",
                      data={"title": "Outcomes 2027", "at_three_years": "y"})
    assert new.status_code == 302
    assert len(outbox(app, "survey-invitation")) == 3
