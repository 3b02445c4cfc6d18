"""Reading citations (no app, no database): RIS with rispy, BibTeX with bibtexparser, PubMed's MEDLINE format with
our reader, on real-shaped samples in tests/data/citations (several authors, accented and Vietnamese names, missing
fields), and malformed input answered with a clear message per item."""

from __future__ import annotations

from pathlib import Path

import pytest

from network.scholarly.citations import (
    CitationError,
    normalize_doi,
    parse_date,
    printed_name,
    read_citations,
)

DATA = Path(__file__).parent / "data" / "citations"
TITLE = ("Ultrasound-guided genicular nerve radiofrequency ablation for chronic knee pain after arthroplasty: "
         "a randomized trial")
AUTHORS = ["Okafor AN", "Müller HP", "Ñúñez JM", "Nguyễn TL"]


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["pain_medicine.ris", "pain_medicine.bib", "pain_medicine.nbib"])
def test_the_trial_reads_the_same_in_every_format(name):
    items = read_citations(sample(name))
    first = items[0]
    assert first.problems == []
    assert first.title.rstrip(".").lower() == TITLE.lower()
    assert first.authors == AUTHORS  # in order, accents and Vietnamese letters kept, printed as "Family FM"
    assert first.published_on == "2025-03-14" if not name.endswith(".bib") else first.published_on == "2025-03-01"
    assert (first.volume, first.issue, first.pages) == ("26", "3", "145-152")
    assert first.doi == "10.1093/pm/pnae123"  # lower case, without the https://doi.org/ of the RIS file
    assert first.pmid == "38912345"
    assert first.kind == "article" and first.status == "published"


def test_ris_kinds_and_missing_fields():
    trial, abstract, chapter = read_citations(sample("pain_medicine.ris"))
    assert abstract.kind == "abstract" and abstract.status == "presented"
    assert abstract.venue == "ASRA Pain Medicine Annual Meeting" and abstract.published_on == "2025-11-20"
    assert chapter.kind == "chapter" and chapter.problems == []
    assert (chapter.venue, chapter.published_on, chapter.doi, chapter.pmid) == ("", None, "", "")


def test_bibtex_kinds_and_missing_fields():
    trial, abstract, chapter = read_citations(sample("pain_medicine.bib"))
    assert trial.title.startswith("Ultrasound-guided Genicular Nerve")  # braces gone
    assert abstract.kind == "abstract" and abstract.published_on == "2025-11-01"
    assert abstract.venue == "ASRA Pain Medicine Annual Meeting"
    assert chapter.kind == "chapter" and chapter.published_on is None and chapter.problems == []


def test_medline_publication_types_and_continued_lines():
    trial, case, review = read_citations(sample("pain_medicine.nbib"))
    assert trial.venue == "Pain Med"
    assert "after arthroplasty" in trial.title  # the title's second line, joined
    assert case.kind == "case_report" and case.published_on == "2024-10-01" and case.pages == "e12-e14"
    assert review.kind == "review" and review.authors == [] and review.published_on is None


def test_malformed_ris_says_which_item_and_why():
    text = sample("pain_medicine.ris").replace("DO  - https://doi.org/10.1093/PM/PNAE123", "DO  - 11.2/not-a-doi")
    text += "TY  - JOUR\nTI  - An unfinished item\nthis line is no field\n"
    items = read_citations(text)
    problems = {item.label: item.problems for item in items if item.problems}
    assert list(problems) == ["Item 1 (line 1)", "Item 4 (line 29)"]
    assert "“11.2/not-a-doi” is not a DOI" in problems["Item 1 (line 1)"][0]
    assert any("line 31 is not a RIS field" in p for p in problems["Item 4 (line 29)"])
    assert any("does not end with an ER line" in p for p in problems["Item 4 (line 29)"])
    assert items[1].problems == [] and items[2].problems == []  # the good ones are not blamed


def test_malformed_bibtex_names_the_broken_entry():
    text = sample("pain_medicine.bib") + "\n@article{broken,\n  title = {Never closed,\n"
    items = read_citations(text)
    assert [item.problems for item in items[:3]] == [[], [], []]
    assert items[3].label.startswith("Item 4") and "could not be read as BibTeX" in items[3].problems[0]


def test_malformed_medline_pmid_and_missing_title():
    text = "PMID- 123456789\nTI  - Too long an id\n\nPMID- 42\nAU  - Okafor AN\n\nPMID- 43\nnot a field\n"
    first, second, third = read_citations(text)
    assert "“123456789” is not a PubMed id" in first.problems[0]
    assert second.problems == ["it has no title."]
    assert "line 8 is not a MEDLINE field" in third.problems[0]


@pytest.mark.parametrize("text", ["", "   ", "Just some words about a paper", "<xml>no</xml>"])
def test_text_in_no_format_is_refused_as_a_whole(text):
    with pytest.raises(CitationError, match="not RIS, BibTeX or MEDLINE"):
        read_citations(text)


def test_helpers():
    assert normalize_doi(" https://doi.org/10.1097/J.PAIN.0000000000001234 ") == "10.1097/j.pain.0000000000001234"
    assert normalize_doi("doi:10.1093/PM/x") == "10.1093/pm/x"
    assert printed_name("Okafor, Adaeze N.") == "Okafor AN"
    assert printed_name("Nguyễn, Thị Lan") == "Nguyễn TL"
    assert printed_name("Pain Research Group") == "Pain Research Group"
    assert parse_date("2025", "Nov", "20").isoformat() == "2025-11-20"
    assert parse_date("2025", "13") is None and parse_date(None) is None
