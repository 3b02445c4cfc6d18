"""The patient-identifier guard: a pure function, tested without an app."""

from __future__ import annotations

import itertools

import pytest

from network.discussions.phi import find_phi, highlight

POSITIVE = [
    ("DOB 03/14/1962, presented with axial back pain", "dob"),
    ("date of birth: 1958-07-02", "dob"),
    ("born on March 3, 1949 in Ohio", "dob"),
    ("D.O.B. 7/4/55", "dob"),
    ("MRN 48213377 for the chart", "mrn"),
    ("MRN: A1234567", "mrn"),
    ("medical record number 5567123", "mrn"),
    ("chart # 77812345", "mrn"),
    ("patient id 99812-34", "mrn"),
    ("the number 123456789 was on the sticker", "mrn"),
    ("call her at 617-555-0134", "phone"),
    ("phone (617) 555-0134 after 5", "phone"),
    ("reach me at 617.555.0134", "phone"),
    ("cell +1 617 555 0134", "phone"),
    ("her email is jane.doe@gmail.com", "email"),
    ("contact j_smith+pain@hospital.org", "email"),
    ("lives at 42 Elm Street near the clinic", "address"),
    ("address 1600 Pennsylvania Avenue", "address"),
    ("moved to 221 Baker St. last year", "address"),
    ("a 93-year-old woman with hip pain", "age"),
    ("92 year old man with neuropathy", "age"),
    ("aged 97, still independent", "age"),
    ("101 yo with compression fractures", "age"),
    ("age 95 and on apixaban", "age"),
    ("patient named John Smith came in", "name"),
    ("a woman called Maria Lopez", "name"),
    ("pt Mr. Jones refused the block", "name"),
    ("patient Mrs. Patel had relief", "name"),
    ("SSN 123-45-6789", "ssn"),
    ("her social is 219-09-9999", "ssn"),
    ("seen in clinic on 4/12/2025", "date"),
    ("procedure on June 3, 2025", "date"),
    ("admitted 12 January 2024", "date"),
    ("surgery 2023-11-05 at the ASC", "date"),
]

NEGATIVE = [
    "L4-L5 disc herniation with radiculopathy",
    "C7 radiculopathy, C5-C6 foraminal stenosis",
    "T10-T12 compression fractures",
    "L5-S1 transforaminal epidural steroid injection",
    "10 mg of dexamethasone",
    "gabapentin 300 mg three times a day",
    "1-2 mg hydromorphone as needed",
    "for 3 months, then reassess",
    "pain 5/10 at rest, 8/10 with walking",
    "blood pressure 120/80",
    "CPT 64483 and 64484",
    "ICD-10 M54.5 low back pain",
    "a 45-year-old with lumbar radiculopathy",
    "an 89 year old patient",
    "90 mg morphine milligram equivalents",
    "90 days of conservative care",
    "age 67 with spinal stenosis",
    "in 2024 we changed our protocol",
    "June 2025 board exam",
    "the 1980s literature on facet joints",
    "20 mL of 0.25% bupivacaine",
    "10 kHz spinal cord stimulation",
    "7-day trial with 50% relief",
    "Modic type 1 changes at L3 to S1",
    "99213 follow-up visit",
    "1,000,000 patients in the registry",
    "Dr. Smith presented at journal club",
    "the patient improved after the block",
    "lead at T8-T9 for the trial",
    "the 2nd and 3rd sacral foramina",
    "NRS dropped from 7 to 3",
    "rates of 1.5% and 2.3% in the trial",
    "page 123-145 of the textbook",
    "a 25-mile non-compete for 2 years",
    "room 4 on the 3rd floor",
    "ASRA meets 4-6 April",
]


@pytest.mark.parametrize(("text", "kind"), POSITIVE)
def test_finds_likely_identifiers(text, kind):
    kinds = [m.kind for m in find_phi(text)]
    assert kind in kinds, (text, kinds)


@pytest.mark.parametrize("text", NEGATIVE)
def test_clinical_shorthand_does_not_trip_the_guard(text):
    assert find_phi(text) == []


def test_enough_examples():
    assert len(POSITIVE) >= 30 and len(NEGATIVE) >= 30


def test_matches_do_not_overlap_and_are_in_order():
    text = "DOB 03/14/1962, MRN 48213377, phone 617-555-0134"
    matches = find_phi(text)
    assert [m.kind for m in matches] == ["dob", "mrn", "phone"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
    assert [text[m.start:m.end] for m in matches] == [m.text for m in matches]


def test_empty_text():
    assert find_phi("") == [] and find_phi(None) == []


def test_highlight_escapes_everything_but_the_marks():
    text = "<script>x</script> DOB 03/14/1962 & more"
    html = highlight(text, find_phi(text))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<mark title="date of birth">DOB 03/14/1962</mark>' in html
    assert html.endswith(" &amp; more")
