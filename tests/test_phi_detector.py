"""The patient-identifier detector (network.text.phi): a pure function, tested without an app."""

from __future__ import annotations

import itertools

import pytest

from benchmarks.phi import load_corpus, score
from network.text.phi import KINDS, STRONG_KINDS, Span, find_phi, redact


@pytest.fixture(scope="module")
def heldout():
    return load_corpus("heldout")


def test_the_corpus_is_big_enough():
    sentences = load_corpus("tune") + load_corpus("heldout")
    assert sum(bool(s.labels) for s in sentences) >= 400
    assert sum(not s.labels for s in sentences) >= 400
    assert len(load_corpus("heldout")) >= 250


def test_heldout_recall_and_false_alarms_hold_the_floor(heldout):
    result = score(heldout)
    assert result.recall >= 0.95, result.misses
    assert result.kind_recall("name") >= 0.95, result.misses
    assert result.false_alarm_rate <= 0.03, result.false_alarms


@pytest.mark.parametrize(("text", "identifier", "kind"), [
    ("Pt John Smith came in with axial back pain", "John Smith", "name"),
    ("Mrs. Jane Doe had 80% relief", "Jane Doe", "name"),
    ("Mr Garcia refused the block", "Garcia", "name"),
    ("my patient Maria Lopez asked about ketamine", "Maria Lopez", "name"),
    ("J.S. 62M with lumbar radiculopathy", "J.S.", "name"),
    ("his wife Grace drove him home", "Grace", "name"),
    ("MRN 1234567 DOB 01/02/1960", "1234567", "mrn"),
    ("MRN 1234567 DOB 01/02/1960", "01/02/1960", "dob"),
    ("a 93-year-old woman with hip pain", "93", "age"),
    ("lives at 42 Elm Street, Springfield, IL 62704", "42 Elm Street", "address"),
    ("call her at 617-555-0134", "617-555-0134", "phone"),
    ("SSN 123-45-6789 on the referral", "123-45-6789", "ssn"),
    ("admitted on 3/14 after a fall", "3/14", "date"),
    ("IPG serial number NPQ123456H", "NPQ123456H", "device"),
    ("films at https://www.dropbox.com/s/abc123/mri.jpg", "dropbox", "url"),
    # Names off the 1990 Census lists: SSA first names, 2010 Census surnames, international names.
    ("Does anybody know Chukwuemeka Ndlovu? He says you did his RFA.", "Chukwuemeka Ndlovu", "name"),
    ("Still thinking about Nkechi Otieno and her CRPS.", "Nkechi Otieno", "name"),
    ("Pt Łukasz Wiśniewski came in with neck pain", "Łukasz Wiśniewski", "name"),
    ("admitted on the 12th after a fall", "the 12th", "date"),
    ("ED visit Sunday the 3rd for a headache", "the 3rd", "date"),
    ("she was admitted Tuesday 3/4 and went home", "3/4", "date"),
    ("DOI 6/1/23 per the workers comp paperwork", "6/1/23", "date"),
    ("seen 2024/03/04 for the block", "2024/03/04", "date"),
])
def test_finds_identifiers(text, identifier, kind):
    position = text.index(identifier)
    spans = [s for s in find_phi(text) if s.start <= position < s.end]
    assert [s.kind for s in spans] == [kind], find_phi(text)


@pytest.mark.parametrize("text", [
    "L4-L5 TFESI with 80 mg triamcinolone",
    "Dr. Raman's protocol",
    "Smith et al. Pain Med 2019;20(3):456-62",
    "CPT 64483",
    "BP 128/82, pain 7/10",
    "C7-T1 ILESI, then 10 mg dexamethasone",
    "Tinel's sign positive, Spurling's test negative, Patrick's test (FABER) positive",
    "ASRA meets April 4-6 in Orlando; abstracts due January 15, 2027",
    "doi:10.1093/pm/pnz123, PMID 31234567",
    "Grace Hospital in Austin opened a pain clinic",
    "Michael Brown, MD, will present at NANS",
    "Nevro Senza vs Abbott Proclaim for failed back surgery syndrome",
    "an 89 year old patient, 90 mg MME, 90 days of conservative care",
    "Henry Ford Health runs a buprenorphine bridge clinic",
    "Beth Israel Deaconess started a transitional pain service",
    "Welcome our new fellows Tomasz Wiśniewski and Oluwaseun Bello!",
    "Congrats to Ana Costa, Tomás Ruiz and Chidi Eze on the match",
    "DOI 10.1016/j.pain.2020.01.001, published 3/4/2020",
    "she fell on the 3rd floor landing, no injury",
    "Tomorrow we meet Tuesday 3/4 for journal club",
])
def test_clinical_writing_is_not_flagged(text):
    assert find_phi(text) == []


def test_spans_are_ordered_without_overlaps_and_strength_follows_the_cue():
    text = "Pt John Smith, MRN 48213377, DOB 03/14/1962, phone 617-555-0134; his wife Hope Baker called."
    spans = find_phi(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert {s.kind for s in spans} == {"name", "mrn", "dob", "phone"}
    assert all(s.strong for s in spans if s.kind in STRONG_KINDS | {"name"})
    assert not next(s for s in spans if s.kind == "phone").strong
    assert set(KINDS) >= {s.kind for s in spans}
    uncued = find_phi("Lorraine Whitaker and I disagree about the dose.")
    assert [(s.kind, s.strong) for s in uncued] == [("name", False)]


def test_redact_replaces_every_span():
    text = "Pt John Smith, DOB 03/14/1962, L4-L5 TFESI"
    assert redact(text, find_phi(text)) == "Pt [removed], [removed], L4-L5 TFESI"
    assert redact("abc", [Span(1, 2, "name", True)], replacement="*") == "a*c"


def test_empty_text():
    assert find_phi("") == []
