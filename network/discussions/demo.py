"""Demo discussions: the categories, every cohort's private category and a few hundred realistic posts.

Idempotent: a category is found by its slug and a thread by its title in its category before
either is created. Posts are written directly (no notifications, no mail); the flush indexes them for search.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from network.audit.models import record
from network.discussions.models import (
    Category,
    CategoryVisibility,
    Post,
    PostRevision,
    Reaction,
    ReadMark,
    Subscription,
    SubscriptionLevel,
    Thread,
)
from network.discussions.rendering import render_body
from network.discussions.services.categories import ensure_cohort_categories
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.programs.models import CohortMembership

CATEGORIES = [
    ("general", "General", "News and questions for the whole fellowship family.", CategoryVisibility.MEMBERS, False),
    ("interventional-techniques", "Interventional techniques",
     "Blocks, ablations, neuromodulation trials and implants: set-up, pearls and pitfalls.",
     CategoryVisibility.MEMBERS, False),
    ("case-discussions", "Case discussions",
     "De-identified cases only. A post that looks like it holds patient identifiers waits for a moderator.",
     CategoryVisibility.MEMBERS, True),
    ("board-review", "Board review", "Study groups, question banks and exam strategy.", CategoryVisibility.MEMBERS,
     False),
    ("careers", "Careers and practice", "Jobs, contracts, academic versus private practice, credentialing.",
     CategoryVisibility.MEMBERS, False),
    ("research", "Research and papers", "Share a paper, find collaborators, talk methods.",
     CategoryVisibility.MEMBERS, False),
    ("faculty-lounge", "Faculty lounge", "Program directors, coordinators and faculty only.",
     CategoryVisibility.FACULTY, False),
]

THREADS = [
    ("interventional-techniques", "How do you set up a dorsal root ganglion stimulation trial?",
     ("We are starting DRG stimulation next month. How do you **position the leads** for an L5 and S1 trial, "
     "and how long do you run the trial before deciding?\n\n- Fluoroscopy only or do you add ultrasound?\n"
     "- Which programming settings do you start with?")),
    ("interventional-techniques", "Genicular nerve radiofrequency ablation: targets after total knee arthroplasty",
     ("After TKA the classic superomedial, superolateral and inferomedial targets can be hard to see. "
     "Do you add the recurrent peroneal or the infrapatellar branch? Cooled RF or conventional?")),
    ("interventional-techniques", "Ultrasound-guided erector spinae plane block for rib fractures",
     ("Anyone running a catheter-based ESP service for rib fractures on the trauma floor? "
     "Interested in your volumes (20 mL of 0.25% bupivacaine?) and how you hand over to the ward.")),
    ("interventional-techniques", "Basivertebral nerve ablation: patient selection",
     ("Modic type 1 and 2 changes at L3 to S1, chronic axial pain for 6 months or more. "
     "What else do you require before offering it?")),
    ("interventional-techniques", "Cervical transforaminal injections: still doing them?",
     ("Given the particulate steroid concerns, does anyone still do cervical TFESIs, or has everyone moved to "
     "interlaminar at C7-T1 with dexamethasone?")),
    ("interventional-techniques", "Spinal cord stimulator trial to implant conversion rates",
     "Our conversion rate is about 70%. We use a 7-day trial with 50% relief as the threshold. How about you?"),
    ("case-discussions", "Refractory CRPS of the upper limb after a distal radius fracture",
     ("A middle-aged patient, 8 months out, allodynia and colour change, failed stellate ganglion blocks x3 and "
     "a course of prednisone. Next step: DRG stimulation, ketamine infusions, or intensive graded motor imagery?")),
    ("case-discussions", "Intrathecal pump: rising dose with little benefit",
     ("Cancer pain, morphine intrathecal, dose doubled over 3 months, pain scores still 7/10. "
     "Would you add bupivacaine or switch to ziconotide?")),
    ("case-discussions", "Post-herpetic neuralgia in the V1 distribution",
     ("Older adult, 4 months after shingles, failed gabapentin and lidocaine patches. "
     "Supraorbital nerve blocks or pulsed RF?")),
    ("case-discussions", "Opioid tapering in a patient on 180 MME",
     ("Long-term high-dose opioids after multiple spine surgeries. Buprenorphine rotation with micro-induction, "
     "or a slow 10% monthly taper?")),
    ("board-review", "ABA pain medicine exam: study group for spring",
     ("Starting a weekly study group, Tuesdays 8 pm Eastern. We go through one question-bank block and one "
     "topic. Reply if you want in!")),
    ("board-review", "High-yield pharmacology: methadone and QTc",
     ("Summary I made for our group:\n\n| Drug | Concern |\n|---|---|\n| Methadone | QTc prolongation |\n"
     "| Tramadol | Serotonin syndrome, seizures |\n| Buprenorphine | Ceiling effect on respiratory depression |")),
    ("board-review", "Which question bank did you use?",
     "Trying to decide between the two big ones. Which one matched the real exam better?"),
    ("careers", "Academic versus private practice: what would you do again?",
     "Alumni: two or five years out, would you make the same choice? What surprised you?"),
    ("careers", "Negotiating the first contract: non-compete clauses",
     "My first offer has a 25-mile non-compete for 2 years. Is that normal? Did anyone negotiate it down?"),
    ("careers", "Credentialing for neuromodulation as a PM&R-trained fellow",
     "Some hospitals ask for a minimum number of implants. How many did you log in fellowship?"),
    ("research", "Paper: 12-month outcomes of 10 kHz SCS for painful diabetic neuropathy",
     ("Sharing the latest follow-up. Interesting that the neurological exam improved in a subset. "
     "Journal club next week?")),
    ("research", "Looking for collaborators: multicentre registry of genicular RFA",
     ("We are building a registry of genicular RFA outcomes across programs. Need 3 to 4 sites. "
     "IRB templates ready.")),
    ("research", "Methods question: minimal clinically important difference for PROMIS pain interference",
     "Which MCID do you use for PROMIS pain interference in interventional trials?"),
    ("general", "Welcome to the discussions!",
     ("This is the place for questions, papers and planning. **Never post patient identifiers**: no names, dates "
     "of birth, record numbers or addresses. In *Case discussions* such posts wait for a moderator.")),
    ("general", "ASRA Pain Medicine meeting: who is going?",
     "Planning a fellowship-family dinner on the Friday night. Reply with your name and we will find a place."),
    ("general", "Favourite resources for ultrasound scanning practice",
     "Phantoms, apps, videos: what helped you most when you started scanning?"),
    ("faculty-lounge", "Milestones reporting this cycle",
     "The CCC meets in two weeks. Please have your evaluations in by Friday."),
    ("faculty-lounge", "Procedural logs: standardising across programs",
     "Should we agree on a common case-log template across the three programs?"),
]

#: Replies by category, so a thread reads like a conversation about its subject.
REPLIES_BY_CATEGORY = {
    "interventional-techniques": [
        "We do it the same way. The key for us was **consistent fluoroscopy views** before advancing anything.",
        "Ultrasound first, then a confirmatory fluoroscopic view. It halved our radiation time.",
        "We switched to dexamethasone for all transforaminal injections years ago and have not looked back.",
        "Our numbers are similar: roughly 65% conversion, with 50% relief as the threshold.",
        "One caution: watch the total local anaesthetic dose with bilateral catheters.",
        "We had good results with cooled RF when the conventional targets were not convincing.",
        "Consider adding a diagnostic block first; it predicts response better than imaging alone.",
        "Same experience here. The learning curve is steep for the first 20 cases.",
        "> the key is patient selection\n\nCompletely agree. Psychology screening before any implant trial.",
        "We aim for a 5 to 7 day trial; longer trials did not change our decisions.",
        "Happy to share our protocol. Send me a message and I will forward the PDF.",
    ],
    "case-discussions": [
        "Ketamine infusions helped some of our CRPS patients short-term, but the effect faded by 3 months.",
        "Graded motor imagery plus mirror therapy before anything invasive, if the patient can engage.",
        "Micro-induction of buprenorphine has worked well for us in the outpatient clinic.",
        "We add bupivacaine before switching drugs. Ziconotide is slow to titrate and has psychiatric side effects.",
        "For the V1 distribution, pulsed RF of the supraorbital nerve gave us a few months of relief.",
        "I would add: document function, not only pain scores. Sleep and walking distance matter.",
        "Have you looked at the recent ASRA consensus guidance on this?",
        "A multidisciplinary review helped us in a similar case: psychology, PT and pharmacy together.",
    ],
    "board-review": [
        "For boards, the pharmacology of methadone comes up every year: QTc, CYP3A4, long half-life.",
        "I used the smaller bank and did every question twice. The explanations were worth it.",
        "Count me in for the study group!",
        "Add opioid conversion tables to the list; they were a big part of my exam.",
        "Spaced repetition cards for the dermatomes and nerve blocks saved me.",
        "Do not skip the ethics and regulatory questions; they are easy points.",
        "Timed blocks of 50 questions in the last month helped my pacing a lot.",
        "Local anaesthetic systemic toxicity management: know the lipid emulsion doses cold.",
        "Our group splits the blueprint by system; I can take neuropathic pain and headache.",
    ],
    "careers": [
        "I negotiated the non-compete down to 10 miles and 1 year. Ask, the worst answer is no.",
        "Private practice: more procedures, less teaching. I miss the fellows more than I expected.",
        "Academic: slower pay, but protected time for research made the difference for me.",
        "We logged about 40 trials and 15 implants in fellowship; that was enough for credentialing.",
        "Get a contract lawyer who knows physician contracts; it paid for itself.",
        "Ask about call, ancillary income and who owns the ASC before comparing salaries.",
        "Hospital-employed gave me stability for the first years; I may go private later.",
        "Start credentialing paperwork early, it took me four months.",
    ],
    "research": [
        "Interesting paper. The sham arm question still bothers me; open-label designs overestimate effects.",
        "Our site is interested in the registry. Who is the contact for the data agreement?",
        "We use a 2-point change on the NRS and 4 to 6 points on PROMIS T-scores.",
        "Happy to present it at journal club next Thursday.",
        "Pre-register the protocol; reviewers increasingly ask for it.",
        "A biostatistician on the team from day one saved our analysis plan.",
        "Consider PROMIS-29 instead of separate instruments; less burden for patients.",
        "We can contribute data from our VA rotation if the agreements allow it.",
    ],
    "general": [
        "I will be there! Thursday arrival.",
        "Sonosite's free modules plus a gel phantom at home. Practise needle visualisation daily.",
        "Thanks, this is really helpful.",
        "Great idea, count me in.",
        "The NYSORA videos were my favourite for the basics.",
        "Let us book a table for twelve; I will send a poll.",
        "Scanning each other during downtime is the cheapest phantom there is.",
        "Welcome everyone, glad this exists!",
    ],
    "faculty-lounge": [
        "Evaluations are in. Reminder that the fellows' self-assessments are due too.",
        "A template would help a lot; each of us logs differently now.",
        "Could we also share the case-log export with the ACGME format?",
        "Agreed, let us put it on the agenda for the next directors' call.",
        "The CCC template from last year worked well; shall we reuse it?",
        "I can draft the shared case-log fields by next week.",
    ],
    "cohort": [
        "I can present on the 14th: the new SCS outcome paper.",
        "Swapped call with Dr. Asante for the 24th, thanks!",
        "Pearl: tilt the C-arm until the endplates line up before anything else.",
        "Pearl: aspirate and use live fluoroscopy with contrast for every transforaminal.",
        "Who has the slides from last week's ultrasound workshop?",
        "I can cover clinic on Friday if someone takes my Monday.",
        "Reminder: case logs are due at the end of the month.",
        "Great session today, thanks to our faculty for staying late.",
        "Thanks, this is really helpful.",
    ],
}
REPLIES = [reply for replies in REPLIES_BY_CATEGORY.values() for reply in replies]


def _members(role_filter=None) -> list[User]:
    query = select(User).where(User.status == MemberStatus.VERIFIED).order_by(User.id)
    if role_filter:
        query = query.where(User.role.in_(role_filter))
    return list(db.session.scalars(query))


def seed_discussions(now: datetime | None = None) -> str:
    """Add the demo categories, threads and posts (the caller commits); returns a summary."""
    rng = random.Random(2026)
    now = now or datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    for position, (slug, name, description, visibility, holds) in enumerate(CATEGORIES, start=1):
        if db.session.scalar(select(Category.id).where(Category.slug == slug)) is None:
            db.session.add(Category(slug=slug, name=name, description=description, position=position,
                                    visibility=visibility, holds_phi_matches=holds))
    db.session.flush()
    ensure_cohort_categories()
    categories = {c.slug: c for c in db.session.scalars(select(Category))}
    everyone = [u for u in _members() if u.role != Role.ADMIN]
    faculty = _members([Role.FACULTY])
    fellow = db.session.scalars(select(User).where(User.email == "fellow@example.org")).first()

    threads = list(THREADS)
    # Each cohort's private category gets a planning thread among its own members.
    cohort_members: dict[int, list[User]] = {}
    for membership in db.session.scalars(select(CohortMembership).order_by(CohortMembership.id)):
        cohort_members.setdefault(membership.cohort_id, []).append(membership.user_id)
    users_by_id = {u.id: u for u in _members()}
    for category in categories.values():
        if category.cohort_id is not None and cohort_members.get(category.cohort_id):
            threads.append((category.slug, "Journal club and call schedule",
                            ("Who is presenting at journal club this month? Also, please check the call "
                            "schedule for the holidays and swap directly with each other.")))
            threads.append((category.slug, "Procedure day pearls",
                            "Share one thing you learned in the procedure suite this week."))
            threads.append((category.slug, "Board study plan for our class",
                            "Shall we split the question bank by topic and meet every other week?"))

    created_threads = created_posts = 0
    for index, (slug, title, opening) in enumerate(threads):
        category = categories[slug]
        if db.session.scalar(select(Thread.id).where(Thread.category_id == category.id, Thread.title == title)):
            continue
        if category.cohort_id is not None:
            pool = [users_by_id[i] for i in cohort_members[category.cohort_id] if i in users_by_id]
        elif category.visibility == CategoryVisibility.FACULTY:
            pool = faculty
        else:
            pool = everyone
        if not pool:
            continue
        author = fellow if (index == 0 and fellow is not None) else rng.choice(pool)
        started = now - timedelta(days=60 - index, hours=rng.randint(0, 12))
        thread = Thread(category_id=category.id, author_id=author.id, title=title, created_at=started,
                        last_post_at=started, post_count=0)
        db.session.add(thread)
        db.session.flush()
        replies = REPLIES_BY_CATEGORY["cohort" if category.cohort_id else slug]
        chosen = rng.sample(replies, rng.randint(max(3, len(replies) - 4), len(replies)))
        bodies = [(author, opening)] + [(rng.choice(pool), reply) for reply in chosen]
        at = started
        posts = []
        for post_author, body in bodies:
            html, _ = render_body(body)
            posts.append(Post(thread_id=thread.id, author_id=post_author.id, body=body, body_html=html,
                              created_at=at))
            at += timedelta(hours=rng.randint(1, 30))
        db.session.add_all(posts)
        db.session.flush()
        thread.first_post_id, thread.last_post_id = posts[0].id, posts[-1].id
        thread.post_count, thread.last_post_at = len(posts), posts[-1].created_at
        thread.pinned = slug == "general" and title.startswith("Welcome")
        _seed_reactions(thread, posts, pool, rng, answered=index == 0)
        for user_id in {p.author_id for p in posts}:
            db.session.add(Subscription(user_id=user_id, thread_id=thread.id, level=SubscriptionLevel.WATCH))
            last_own = max(p.id for p in posts if p.author_id == user_id)
            db.session.add(ReadMark(user_id=user_id, thread_id=thread.id, last_read_post_id=last_own))
        created_threads += 1
        created_posts += len(posts)
    db.session.flush()
    _seed_review(categories.get("case-discussions"), fellow, faculty, now)
    return f"{created_threads} threads and {created_posts} posts in {len(categories)} categories"


def _seed_reactions(thread: Thread, posts: list[Post], pool: list[User], rng, answered: bool) -> None:
    """A few members mark some replies helpful (never their own); in the ``answered`` thread its author
    accepts the first reply by someone else as the answer."""
    for post in posts[1:]:
        others = [member for member in pool if member.id != post.author_id]
        for member in rng.sample(others, min(len(others), rng.randint(0, 3))):
            db.session.add(Reaction(post_id=post.id, user_id=member.id, created_at=post.created_at))
    if answered:
        thread.answer_post_id = next((post.id for post in posts[1:] if post.author_id != thread.author_id), None)


REVIEW_THREAD = "Genicular RFA: three-month follow-up"
HELD_REPLY = "Follow-up on this case: Pt Maria Lopez, MRN 4821337, is pain-free at 3 months."
REMOVED_NOTE = "and the daughter's number was removed from the edit history."
REDACTED_BEFORE = "Her daughter asked us to call her at 617-555-0134 with the results."


def _seed_review(category: Category | None, fellow: User | None, faculty: list[User], now: datetime) -> None:
    """A thread a moderator finds in the queue with one held reply (a name and record number), and a
    reply whose earlier revision had a phone number redacted: the audit names the kind only."""
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.id)).first()
    if category is None or fellow is None or not faculty or admin is None or db.session.scalar(
            select(Thread.id).where(Thread.title == REVIEW_THREAD)):
        return
    started = now - timedelta(days=2)
    thread = Thread(category_id=category.id, author_id=faculty[0].id, title=REVIEW_THREAD, created_at=started,
                    last_post_at=started, post_count=0)
    db.session.add(thread)
    db.session.flush()
    texts = [(faculty[0], "De-identified: knee osteoarthritis, 80% relief after genicular RFA. How do you follow up?",
              False),
             (fellow, f"Results were shared by phone, {REMOVED_NOTE}", False),
             (fellow, HELD_REPLY, True)]
    posts = []
    for index, (author, body, held) in enumerate(texts):
        posts.append(Post(thread_id=thread.id, author_id=author.id, body=body, body_html=render_body(body)[0],
                          created_at=started + timedelta(hours=index + 1), held=held))
    db.session.add_all(posts)
    db.session.flush()
    published = [p for p in posts if not p.held]
    thread.first_post_id, thread.last_post_id = posts[0].id, published[-1].id
    thread.post_count, thread.last_post_at = len(published), published[-1].created_at
    redacted = posts[1]
    redacted.edited_at = redacted.created_at + timedelta(minutes=20)
    db.session.add(PostRevision(post_id=redacted.id, editor_id=fellow.id, created_at=redacted.edited_at,
                                body=REDACTED_BEFORE.replace("617-555-0134", "[removed]")))
    record(admin.id, "post.redact", "post", redacted.id, thread_id=thread.id, author_id=fellow.id, kinds=["phone"],
           spans=1, revisions=1)
    record(fellow.id, "post.hold", "post", posts[2].id, thread_id=thread.id, reason="possible patient identifiers",
           kinds=["mrn", "name"])
    for user_id in {faculty[0].id, fellow.id}:
        db.session.add(Subscription(user_id=user_id, thread_id=thread.id, level=SubscriptionLevel.WATCH))

