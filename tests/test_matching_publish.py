"""Publishing a matching round tells the truth: a fellow already mentored by a mentor of the round's kind is
kept as is (the preview says so, coverage counts them apart, nobody is told "not matched"); publishing asks
for confirmation and, before the deadline, for an explicit early close; rankings change until the deadline
or the early close; a mentor's unanswered fellows count as the round says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from network.extensions import db
from network.matching.models import Choice, MatchingRound, MatchingRun, RoundStatus
from network.mentorship.models import Mentorship, MentorshipStatus
from network.notifications.models import Notification
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_matching_rounds import open_round, prepared_round, world  # noqa: F401 (world: a fixture)


def _run(app, director, round_id) -> int:
    assert director.post(f"/matching/{round_id}/runs").status_code == 302
    with app.app_context():
        return db.session.scalar(select(MatchingRun.id).where(MatchingRun.round_id == round_id)
                                 .order_by(MatchingRun.id.desc()))


def _confirmed(run_id, **extra) -> dict:
    return {"run_id": str(run_id), "confirm": "yes", "close_early": "yes", **extra}


def _published(app, round_id) -> bool:
    with app.app_context():
        return db.session.get(MatchingRound, round_id).status == RoundStatus.PUBLISHED


def _titles(app, user) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Notification.title).where(Notification.user_id == user.id,
                                                                    Notification.kind == "matching-result")).all()


# -- a fellow already mentored -------------------------------------------------------------------------------


def test_a_fellow_already_mentored_by_a_ranked_mentor_is_kept_and_told_the_truth(app, login, world):  # noqa: F811
    f1, f2, f3 = world["fellows"]
    m1, m2, _m3 = world["mentors"]
    director, round_id = prepared_round(app, login, world)
    # Fellow 2 ranked mentor 1 first and mentor 1 ranked fellow 2 first: they already work together.
    with app.app_context():
        db.session.add(Mentorship(mentee_id=f2.id, mentor_id=m1.id, type="research"))
        db.session.commit()
    run_id = _run(app, director, round_id)
    preview = director.get(f"/matching/{round_id}/preview?run={run_id}")
    assert preview.status_code == 200 and check_page(preview.data) == []
    text = preview.data.decode()
    # Kept as is and explained; mentor 1's only place is theirs, so fellow 1 goes to mentor 2.
    assert f"Run {run_id} is done: 1 of 2 fellows who need a mentor matched, 1 fellow kept with their mentor" in text
    assert "Already mentoring — kept as is" in text
    assert "Dr. Fellow 2 already has an active research mentorship with Dr. Mentor 1" in text
    assert "50.0% (1 of 2 fellows who need a research mentor matched)" in text
    assert "1 fellow already has one (kept as is)" in text
    with app.app_context():
        pairs = {p["fellow"]: p for p in db.session.get(MatchingRun, run_id).pairs}
    assert pairs[f2.id]["kept"] and pairs[f2.id]["mentor"] == m1.id
    assert pairs[f1.id]["mentor"] == m2.id and not pairs[f1.id].get("kept")
    assert pairs[f3.id]["mentor"] is None
    cli = app.test_cli_runner().invoke(args=["matching", "run", str(round_id)])
    assert "1 of 2 fellows who need a mentor matched, 1 fellow kept with their mentor (50.0%)" in cli.output

    confirm = director.get(f"/matching/{round_id}/runs/{run_id}/publish")
    assert confirm.status_code == 200 and check_page(confirm.data) == []
    assert "1 fellow newly matched" in confirm.data.decode()
    assert "1 already mentored, kept as is" in confirm.data.decode()
    assert director.post(f"/matching/{round_id}/publish", data=_confirmed(run_id)).status_code == 302
    with app.app_context():
        made = {(m.mentee_id, m.mentor_id) for m in db.session.scalars(select(Mentorship))}
        assert made == {(f2.id, m1.id), (f1.id, m2.id)}
    # Nobody mentored after publishing is told "not matched": notifications, mails and round pages.
    for member in (f2, m1):
        assert not any("not matched" in t for t in _titles(app, member)), member.name
        assert not any("not matched" in m.text_body for m in outbox(app, "matching-result")
                       if m.recipient == member.email)
    assert _titles(app, f2) == [("“Research mentors 2027”: your research mentorship with Dr. Mentor 1 continues "
                                 "(the round closed early)")]
    assert any("your mentorship with Dr. Fellow 2 continues" in t for t in _titles(app, m1))
    fellow_page = login(app.test_client(), f2).get(f"/matching/{round_id}").data.decode()
    assert "not matched" not in fellow_page
    assert "Your research mentorship with <strong>Dr. Mentor 1</strong> continues" in fellow_page
    mentor_page = login(app.test_client(), m1).get(f"/matching/{round_id}").data.decode()
    assert "Your mentorship with Dr. Fellow 2 continues" in mentor_page
    assert "No fellow was matched with you" not in mentor_page
    # Fellow 3 really was not matched, and is told so.
    assert any("not matched" in t for t in _titles(app, f3))


def test_a_fellow_mentored_outside_the_pool_is_left_out_of_the_match(app, login, world):  # noqa: F811
    f1, f2, _f3 = world["fellows"]
    m1, _m2, _m3 = world["mentors"]
    director, round_id = prepared_round(app, login, world)
    # Fellow 2 has a research mentor who is not in the pool: the round cannot give them a second one
    # (one active mentorship of a kind), so mentor 1's place goes to fellow 1 instead of being wasted.
    with app.app_context():
        db.session.add(Mentorship(mentee_id=f2.id, mentor_id=world["director"].id, type="research"))
        db.session.commit()
    run_id = _run(app, director, round_id)
    text = director.get(f"/matching/{round_id}/preview").data.decode()
    assert "Dr. Fellow 2 already has an active research mentorship with Dr. Director" in text
    with app.app_context():
        pairs = {p["fellow"]: p for p in db.session.get(MatchingRun, run_id).pairs}
    assert pairs[f1.id]["mentor"] == m1.id
    director.post(f"/matching/{round_id}/publish", data=_confirmed(run_id))
    assert _titles(app, f2) == [("“Research mentors 2027”: your research mentorship with Dr. Director continues "
                                 "(the round closed early)")]


def test_a_mentorship_started_after_the_run_is_named_on_confirmation_and_told_truthfully(app, login, world):  # noqa: F811
    f1, f2, _f3 = world["fellows"]
    m1, m2, _m3 = world["mentors"]
    director, round_id = prepared_round(app, login, world)
    run_id = _run(app, director, round_id)
    # After the run, fellow 1 (paired with mentor 2) starts a research mentorship with the director.
    with app.app_context():
        db.session.add(Mentorship(mentee_id=f1.id, mentor_id=world["director"].id, type="research"))
        db.session.commit()
    confirm = director.get(f"/matching/{round_id}/runs/{run_id}/publish").data.decode()
    assert "Dr. Fellow 1 now has an active research mentorship with Dr. Director" in confirm
    director.post(f"/matching/{round_id}/publish", data=_confirmed(run_id))
    told = _titles(app, f1)
    assert told == [("“Research mentors 2027”: your research mentorship with Dr. Director continues; "
                     "no new mentorship with Dr. Mentor 2 (the round closed early)")]
    assert not any("you will mentor" in t for t in _titles(app, m2))
    assert "Your mentorship with" not in login(app.test_client(), m2).get(f"/matching/{round_id}").data.decode()
    assert "You will mentor Dr. Fellow 1" not in login(app.test_client(), m2).get(
        f"/matching/{round_id}").data.decode()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Mentorship).where(
            Mentorship.mentee_id == f1.id, Mentorship.status == MentorshipStatus.ACTIVE)) == 1
    assert f2 and m1


# -- confirmation and the deadline ----------------------------------------------------------------------------


def test_publishing_without_the_confirmation_publishes_nothing(app, login, world):  # noqa: F811
    director, round_id = prepared_round(app, login, world)
    run_id = _run(app, director, round_id)
    refused = director.post(f"/matching/{round_id}/publish", data={"run_id": str(run_id)})
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith(f"/matching/{round_id}/runs/{run_id}/publish")
    assert not _published(app, round_id)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Mentorship)) == 0
    assert outbox(app, "matching-result") == []
    # The preview offers the confirmation page, not a one-click publish.
    preview = director.get(f"/matching/{round_id}/preview").data.decode()
    assert f'href="/matching/{round_id}/runs/{run_id}/publish"' in preview
    confirm = director.get(f"/matching/{round_id}/runs/{run_id}/publish")
    text = confirm.data.decode()
    assert confirm.status_code == 200 and check_page(confirm.data) == []
    assert "2 fellows newly matched" in text and "1 fellow unmatched" in text
    assert "6 participants will be told, 6 by mail now" in text
    assert 'name="confirm"' in text and ">Cancel<" in text
    assert "since this run" not in text


def test_publishing_before_the_deadline_warns_and_needs_the_early_close(app, login, world):  # noqa: F811
    f1, _f2, _f3 = world["fellows"]
    m1, _m2, _m3 = world["mentors"]
    director, round_id = prepared_round(app, login, world)
    run_id = _run(app, director, round_id)
    with app.app_context():
        deadline = db.session.get(MatchingRound, round_id).deadline
    confirm = director.get(f"/matching/{round_id}/runs/{run_id}/publish").data.decode()
    assert "The ranking deadline has not passed" in confirm
    assert f"fellows can still change their rankings until {deadline:%d %b %Y, %H:%M} UTC" in confirm
    assert "Publish early and close rankings now" in confirm
    # Confirmed, but without the early close: nothing happens.
    refused = director.post(f"/matching/{round_id}/publish", data={"run_id": str(run_id), "confirm": "yes"})
    assert refused.status_code == 400
    assert "Choose “Publish early and close rankings now”" in refused.data.decode()
    assert not _published(app, round_id)
    # The fellow's list can still change meanwhile, and they are told until when.
    fellow = login(app.test_client(), f1)
    page = fellow.get(f"/matching/{round_id}").data.decode()
    assert f"You can change your ranking until {deadline:%d %b %Y, %H:%M} UTC." in page
    saved = fellow.post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1"}, follow_redirects=True)
    assert f"You can change it until {deadline:%d %b %Y, %H:%M} UTC." in saved.data.decode()
    # The run predates that change: the confirmation says so before anyone publishes an old list.
    confirm = director.get(f"/matching/{round_id}/runs/{run_id}/publish").data.decode()
    assert "<strong>1 change to the lists since this run</strong>" in confirm
    # Published early: the round closes, lists lock, and everyone is told it closed early.
    assert director.post(f"/matching/{round_id}/publish", data=_confirmed(run_id)).status_code == 302
    assert _published(app, round_id)
    for mail in outbox(app, "matching-result"):
        assert "closed early" in mail.text_body, mail.recipient
    with app.app_context():
        titles = db.session.scalars(select(Notification.title).where(Notification.kind == "matching-result")).all()
    assert len(titles) == 6 and all(t.endswith("(the round closed early)") for t in titles)
    late = fellow.post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1"})
    assert late.status_code == 409 and "closed early" in late.data.decode()
    page = fellow.get(f"/matching/{round_id}").data.decode()
    assert "closed early" in page and "You can change your ranking" not in page


def test_after_the_deadline_publishing_needs_only_the_confirmation(app, login, world):  # noqa: F811
    f1, _f2, _f3 = world["fellows"]
    m1, _m2, _m3 = world["mentors"]
    director, round_id = prepared_round(app, login, world)
    run_id = _run(app, director, round_id)
    with app.app_context():
        db.session.execute(update(MatchingRound).values(deadline=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    fellow = login(app.test_client(), f1)
    late = fellow.post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1"})
    assert late.status_code == 409 and "deadline has passed" in late.data.decode()
    confirm = director.get(f"/matching/{round_id}/runs/{run_id}/publish")
    assert confirm.status_code == 200 and "2 fellows newly matched" in confirm.data.decode()
    assert "has not passed" not in confirm.data.decode() and "Publish early" not in confirm.data.decode()
    assert director.post(f"/matching/{round_id}/publish",
                         data={"run_id": str(run_id), "confirm": "yes"}).status_code == 302
    assert _published(app, round_id)
    assert not any("closed early" in m.text_body for m in outbox(app, "matching-result"))


# -- mentors who never answer ---------------------------------------------------------------------------------


def _silent_mentors_round(app, login, people, **fields):
    """Mentors 1 and 2 join with one place each and never answer; fellow 1 lists mentor 1, fellow 2 mentor 2."""
    director, round_id = open_round(app, login, people["director"], people["cohort"], **fields)
    f1, f2, _f3 = people["fellows"]
    m1, m2, _m3 = people["mentors"]
    for mentor in (m1, m2):
        login(app.test_client(), mentor).post(f"/matching/{round_id}/pool", data={"pool-capacity": "1"})
    login(app.test_client(), f1).post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1"})
    login(app.test_client(), f2).post(f"/matching/{round_id}/ranking", data={f"rank-{m2.id}": "1"})
    return director, round_id


def test_a_mentor_who_never_answers_does_not_block_anyone_by_default(app, login, world):  # noqa: F811
    f1, f2, _f3 = world["fellows"]
    m1, m2, _m3 = world["mentors"]
    director, round_id = _silent_mentors_round(app, login, world)
    # The review starts at "No answer", as three labelled choices in a fieldset per fellow.
    review = login(app.test_client(), m1).get(f"/matching/{round_id}")
    assert check_page(review.data) == []
    text = review.data.decode()
    assert "<legend" in text and f'id="answer-{f1.id}-none" value="none" checked' in text
    for label in ("No answer", "Acceptable", "Not acceptable"):
        assert f">{label}</label>" in text
    assert "Fellows you leave at “No answer” count as acceptable" in text
    with app.app_context():
        assert db.session.scalars(select(Choice.mentor_accepts)).all() == [None, None]
    run_id = _run(app, director, round_id)
    with app.app_context():
        pairs = {p["fellow"]: p for p in db.session.get(MatchingRun, run_id).pairs}
    assert pairs[f1.id]["mentor"] == m1.id and pairs[f2.id]["mentor"] == m2.id
    preview = director.get(f"/matching/{round_id}/preview").data.decode()
    assert "Dr. Mentor 1 did not answer for Dr. Fellow 1 (counts as acceptable)" in preview
    assert "<strong>2 answers</strong> outstanding" in preview
    # An explicit "Not acceptable" stays so, even for a mentor who accepts anyone who lists them.
    mentor2 = login(app.test_client(), m2)
    mentor2.post(f"/matching/{round_id}/pool", data={"pool-capacity": "1", "pool-accept_any": "y"})
    assert mentor2.post(f"/matching/{round_id}/review", data={f"answer-{f2.id}": "no"}).status_code == 302
    run_id = _run(app, director, round_id)
    with app.app_context():
        pairs = {p["fellow"]: p for p in db.session.get(MatchingRun, run_id).pairs}
    assert pairs[f2.id]["mentor"] is None and pairs[f1.id]["mentor"] == m1.id


def test_a_round_can_count_no_answer_as_not_acceptable(app, login, world):  # noqa: F811
    f1, f2, _f3 = world["fellows"]
    m1, m2, _m3 = world["mentors"]
    director, round_id = _silent_mentors_round(app, login, world, no_answer="not_acceptable")
    review = login(app.test_client(), m1).get(f"/matching/{round_id}").data.decode()
    assert "Fellows you leave at “No answer” count as not acceptable" in review
    # Mentor 2 answers for fellow 2 with a rank; mentor 1 never answers.
    assert login(app.test_client(), m2).post(f"/matching/{round_id}/review", data={
        f"answer-{f2.id}": "yes", f"rank-{f2.id}": "1"}).status_code == 302
    run_id = _run(app, director, round_id)
    with app.app_context():
        pairs = {p["fellow"]: p for p in db.session.get(MatchingRun, run_id).pairs}
    assert pairs[f1.id]["mentor"] is None and pairs[f2.id]["mentor"] == m2.id
    preview = director.get(f"/matching/{round_id}/preview").data.decode()
    assert "Dr. Fellow 1</strong>: Nobody acceptable: Dr. Mentor 1 did not answer" in preview
    assert "“No answer” counts as not acceptable" in preview


@pytest.mark.parametrize("answer, stored", [("none", None), ("yes", True), ("no", False), ("2", True)])
def test_each_review_answer_is_stored(app, login, world, answer, stored):  # noqa: F811
    f1, _f2, _f3 = world["fellows"]
    m1, _m2, _m3 = world["mentors"]
    _director, round_id = _silent_mentors_round(app, login, world)
    assert login(app.test_client(), m1).post(f"/matching/{round_id}/review",
                                             data={f"answer-{f1.id}": answer}).status_code == 302
    with app.app_context():
        choice = db.session.scalars(select(Choice).where(Choice.mentor_id == m1.id)).one()
        assert choice.mentor_accepts is stored
        assert choice.mentor_rank == (2 if answer == "2" else None)


def test_the_migration_turns_unanswered_fellows_into_no_answer(app, login, world):  # noqa: F811
    import flask_migrate

    f1, f2, _f3 = world["fellows"]
    m1, m2, _m3 = world["mentors"]
    _director, round_id = _silent_mentors_round(app, login, world)
    # Mentor 1 said "not acceptable" for fellow 1; mentor 2 never saved a review.
    login(app.test_client(), m1).post(f"/matching/{round_id}/review", data={f"answer-{f1.id}": "no"})
    with app.app_context():
        flask_migrate.downgrade(revision="0017_registration_details")  # the old schema stores both as "not acceptable"
        stored = dict(db.session.execute(select(Choice.mentor_id, Choice.mentor_accepts)).all())
        assert stored == {m1.id: False, m2.id: False}
        db.session.rollback()
        flask_migrate.upgrade()
        stored = dict(db.session.execute(select(Choice.mentor_id, Choice.mentor_accepts)).all())
        assert stored == {m1.id: False, m2.id: None}
        assert db.session.get(MatchingRound, round_id).no_answer_acceptable is True
    assert f2
