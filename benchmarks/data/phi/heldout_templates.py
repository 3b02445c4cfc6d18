"""Held-out templates: written apart from tune_templates.py, other phrasings and other names.

The detector was not tuned on these; tests/test_phi_detector.py holds its floor on them.
"""

from __future__ import annotations

from tune_templates import POOLS as TUNE_POOLS

FIRST = ["Michael", "Patricia", "Faith", "Dallas", "Joy", "Tanisha", "Hiroshi", "Ngozi", "Luis", "Svetlana",
         "Raymond", "Eleanor", "Mohammed", "Destiny", "Kevin", "Lorraine", "Alejandro", "Bernadette", "Curtis",
         "Yolanda", "Walter", "Irene", "Marcus", "Colleen"]
LAST = ["Williams", "Martinez", "Kim", "Adeyemi", "Novak", "Thompson", "White", "Rivera", "Castillo", "Brennan",
        "Lindqvist", "Obi", "Horvath", "Morales", "Fischer", "Kaur", "Dubois", "Alvarez", "Petrov", "Whitaker",
        "Gonzalez", "Harris", "Tran", "Cohen-Levy"]


def _full(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


POOLS = {
    **TUNE_POOLS,
    "NAME": _full,
    "FIRST": FIRST,
    "LAST": LAST,
    "TITLED": lambda rng: f"{rng.choice(['Mr.', 'Mrs.', 'Ms.', 'Mr', 'Mrs'])} {rng.choice(LAST)}",
    "INITIALS": lambda rng: rng.choice(["P.W.", "L.M.", "E.N.", "H.K.", "C.R.", "Y.A."]),
    "cond": ["thoracic post-thoracotomy pain", "lumbar facet arthropathy", "chronic migraine",
             "sickle cell crisis pain", "meralgia paresthetica", "pudendal neuralgia", "CRPS type II of the hand",
             "vertebral compression fracture", "chronic abdominal wall pain", "diabetic neuropathy"],
    "proc": ["T7-T8 ILESI", "L3-L4 and L4-L5 MBB", "cooled RF of the genicular nerves", "kyphoplasty at T12",
             "pudendal nerve block", "lateral femoral cutaneous nerve block", "TAP block", "peripheral nerve stim",
             "intrathecal pump refill", "celiac plexus neurolysis"],
    "drug": ["methadone 5 mg TID", "nortriptyline 25 mg qhs", "lidocaine 5% patch", "tizanidine 4 mg",
             "40 mg methylprednisolone", "ziconotide 0.5 mcg/day", "celecoxib 200 mg", "topiramate 50 mg"],
    "doc": ["Manchikanti", "Benzon", "Hayek", "Stanton-Hicks", "Brown", "Kapural", "Gilligan", "Hunter", "Rathmell"],
    "conf": ["the NANS annual meeting", "ASRA Pain Medicine spring", "IASP World Congress", "the AAPM annual"],
    "city": ["Denver", "Nashville", "Chicago", "Dallas", "Boston"],
}

POSITIVE = [
    "Consult for {NAME}, {age}{sex}, with {cond}; she has tried {drug}.",
    "{TITLED} (bed 7) had a vasovagal during the {proc}, recovered fine.",
    "Anyone know {NAME}? Says she was your patient before moving here.",
    "Vignette: {INITIALS} is a {age} y/o man with {cond} after a fall from a ladder.",
    "Her husband, {FIRST}, thinks the {drug} makes her confused.",
    "Just got off the phone with {TITLED}, who wants the {proc} moved up.",
    "Our pt {LAST} has {cond} and a {brand}; can he get an MRI?",
    "Met {NAME} in clinic: {cond}, very anxious about needles.",
    "The {proc} for {NAME} is on the schedule for {DATE}.",
    "Birthdate {DOB}; insurance says she's a different person.",
    "Medical record number {MRN} belongs to the wrong {TITLED}, please fix.",
    "Pt is {AGE} years old, lives alone, {cond}.",
    "{AGE} y.o. F, {cond}, on {drug}, falls at home.",
    "Her cell is {PHONE}, she prefers texts.",
    "Fax number {FAX} for the outside spine surgeon's office.",
    "She wrote to me from {EMAIL} asking for more {drug}.",
    "Social security number {SSN} appears on page 2 of the referral.",
    "Subscriber ID {PLAN}, group 44021, for the prior auth.",
    "Encounter number {ACCT} shows a duplicate charge for the {proc}.",
    "Device serial {SERIAL} flagged in the {brand} advisory.",
    "Her house at {STREET} has no ramp, so home PT is hard.",
    "Mail the films to {STREET}, {CITYZIP}.",
    "Photos of the wound: {URL}",
    "Login attempts from {IP} on his account, flagged by IT.",
    "License plate {PLATE} blocked the ambulance bay again.",
    "{NAME} underwent {proc} last month with 60% relief.",
    "{FIRST} {LAST}, {age}-year-old male, {cond}, s/p {proc}.",
    "I told {TITLED} that {drug} won't fix {cond}.",
    "Procedure note: {proc} performed on {DATE}, patient tolerated well.",
    "Last seen {DATE}, no-show since.",
    "{INITIALS} ({age}{sex}): {cond}, MRN {MRN}.",
    "her grandson {FIRST} picks up the {drug} from the pharmacy",
    "pt {FIRST} {LAST} wants a second opinion on the {proc}",
    "Talked to Mrs {LAST} and her son {FIRST} about hospice.",
    "{NAME}, DOB {DOB}, needs {proc} before the holidays.",
    "Patient {LAST} says the {brand} shocks her when she turns.",
    "Sent the op note to {NAME} at {EMAIL}.",
    "CC: {NAME}, {age}F, {cond} since {year}.",
    "The guy with {cond}, {NAME}, is back in the ED.",
    "Ms {LAST} from yesterday's clinic called about the {proc}.",
]

NEGATIVE = [
    "Coding question: 64490 vs 64493 for {proc}?",
    "We switched from {drug} to {drug} for {cond}.",
    "Manchikanti L, et al. Pain Physician {year};{n}(2):E123-34.",
    "As Dr. {doc} showed, fluoroscopy time drops with experience.",
    "{doc}'s technique for the {proc} avoids the foramen.",
    "Vitals stable: BP 134/86, HR 68, SpO2 98%.",
    "Pain 6/10 before, 2/10 after the {proc}.",
    "{conf} in {city}, {mon} 5-8; who is going?",
    "Abstract deadline for {conf} is {mon} 1.",
    "A {age} y/o with {cond} did well with {proc}.",
    "{age}{sex}, {cond}, L5-S1 disc extrusion on MRI.",
    "Spurling positive on the right, Hoffmann negative.",
    "Lhermitte sign after the C-spine fusion, referred to neurology.",
    "Guillain-Barré presenting as back pain is easy to miss.",
    "The {brand} rep brought the new clinician programmer.",
    "Joy of the week: our fellow's first solo {proc}!",
    "Faith-based hospitals may restrict some {proc} coverage.",
    "Dallas has two new fellowship spots for {year}.",
    "Dr. {doc} and Dr. {doc} are co-chairs for {conf}.",
    "Hayek SM, Deer TR, et al. Pain Med {year};{n}:1501-10.",
    "PMID 2893{n}112 is the RCT on {proc}.",
    "Epidural abscess risk is about 1 in 10,000.",
    "C7-T1 ILESI with {drug} under contrast.",
    "Duration of relief was {n} weeks after the {proc}.",
    "{n} mg/kg/h infusion, titrate to effect, max 2 mg/kg/h.",
    "The patient tolerated the {proc} and went home.",
    "Our fellows present at {conf} on {mon} 18.",
    "Journal club: {doc} et al. on {cond}, {mon} 22.",
    "Spinal levels T11-L1 for the sympathetic chain.",
    "ICD-10 M79.7 for fibromyalgia, G90.5 for CRPS.",
    "Mercy Hospital started a pain fellowship in {year}.",
    "Kim's lab studies central sensitization in {cond}.",
    "Board review course in {city}, early bird ends {mon} 15.",
    "Temp 38.2, WBC 14, so we held the {proc}.",
    "Oxycodone 5 mg q6h PRN, max 4 tabs per day.",
    "Thank you Dr. {doc} for the great lecture on {cond}!",
    "Gaenslen and FABER positive on the left.",
    "Brown et al. found no difference at 6 months.",
    "The clinic moved to suite 300 on the second floor.",
    "Nevro HF10 at 10 kHz for {cond}.",
]
