"""Names of patients and relatives in free text, for ``network.text.phi``. Pure functions.

No model: a name is found by a cue in front of it (Pt, Mr/Mrs/Ms, "my patient", "his wife"),
by age and sex behind it ("J.S. 62M", "Maria Lopez, 45F"), or, without a cue, as a first name
and a surname from the name lists (``names/``: the 1990 US Census lists, and broader lists of SSA
baby names, 2010 Census surnames and international names) that no professional context, institution
or citation surrounds ("Dr. Raman's protocol", "Smith et al.", "John Smith, MD presented",
"Henry Ford Health").
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

_DATA = Path(__file__).with_name("names")


def _read_names(filename: str) -> frozenset[str]:
    lines = (_DATA / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


def _read_gzipped_names(filename: str) -> frozenset[str]:
    lines = gzip.decompress((_DATA / filename).read_bytes()).decode("utf-8").split("\n")
    return frozenset(line for line in lines if line and not line.startswith("#"))


# The curated lists: a name from them is enough on its own (with the stop-lists below).
FIRST_NAMES = _read_names("first_names.txt")
SURNAMES = _read_names("surnames.txt")
# The broad lists (SSA baby names, 2010 Census surnames, international names; see names/README.md),
# without everyday English words: without a cue, a first name and a surname from them must both be listed.
MORE_FIRST_NAMES = _read_gzipped_names("first_names_more.txt.gz")
MORE_SURNAMES = _read_gzipped_names("surnames_more.txt.gz")

# First names that are also everyday words, months or places: without a cue they are a name
# only when a listed surname follows ("Grace Hospital", "Austin Pain Associates" are not).
AMBIGUOUS_FIRST = _words("""
Grace Hope Faith Joy Will Mark May June April August Austin Jordan Dallas Houston Charlotte Georgia
Virginia Carolina Paris Sydney Florence Eugene Madison Lincoln Chase Hunter Summer Autumn Dawn Crystal
Page Price Major Guy Bill Rich Sterling Royal Victory Destiny Precious Gay Iris Ivy Lily Rose Daisy
Holly Heather Angel Chance Clay Dean Drew Miles Rod Sage Max Frank Earnest Ernest Harmony Mercy Amber
Ruby Pearl Jasmine Olive Sandy Stormy Sunny Misty Brandy Candy Cherry Ginger Penny Bob Art Jean Carol
Christian Cleveland Denver Tyler Lloyd Marshall Mason Baker Carter Parker Cooper Porter Hunter
""")

# Capitalised words that follow a cue or open a sentence without being a name.
NOT_NAME = _words("""
A An The This That These Those There Here He She They We I It His Her Their Our My Your Its
And Or But Nor So Yet For With Without Who Whom Whose Which What When Where Why How If Then Also
Is Was Were Are Be Been Has Had Have Did Does Do Will Would Could Should May Might Must Can
Not No Yes Ok Okay Please Thanks Thank Today Tomorrow Yesterday Tonight Now Later Again
Monday Tuesday Wednesday Thursday Friday Saturday Sunday
January February March April June July August September October November December
Patient Patients Pt Pts Client Safety Education Reported Reports Report Controlled Control Portal
Outcomes Outcome Experience Care Health Protection Selection Advocate Advocacy Satisfaction Information
Consent Privacy Access Centered Assistance Navigator Population Registry Room Services Service
Relations Handout Guide Position Positioning Transport Identifier Identifiers Name Names Number
Tolerated Denies Denied Reports States Stated Presented Presents Underwent Returned Called Complains
Complained Agreed Consented Seen Felt Got Notes Noted Declined Refused Endorses Describes Arrived
Improved Responded Failed Continues Remains Says Said Asked Wants Went Came Left Called
Pain Back Neck Knee Hip Shoulder Spine Spinal Lumbar Cervical Thoracic Sacral Epidural Facet
Hospital Clinic Center Centre Medical Medicine Institute University College School Foundation Society
Association Associates Group Health Healthcare Memorial General Regional County Community Children
Scientific Pharma Pharmaceuticals Inc Llc Ltd Corp Company Labs Laboratories Technologies Systems
Road Street Avenue Lane Drive Boulevard Way Place Court Park Valley Lake River Hill Heights Beach
North South East West New Saint St Fort Mount Port Lake Grand Rounds Journal Club Board Review
Award Lecture Lectureship Fellowship Program Conference Meeting Congress Summit Symposium Course
Workshop Session Annual Spring Fall Winter Summer Cadaver Lab Ultrasound Guided Stimulation
Syndrome Disease Sign Test Maneuver Manoeuvre Criteria Scale Score Index Protocol Technique
Block Blocks Injection Injections Nerve Plexus Ganglion Trial Study Studies Guidelines Guideline
Consensus Statement Practice Update Updates Committee Department Division Service Team Office
Insurance Medicare Medicaid Tricare Aetna Cigna Humana Anthem Kaiser United Blue Cross Shield
Emergency Department Urgent Intensive Unit Floor Ward Bay Bed Suite Apt Unit Box Adult Adults Atrium
Tylenol Advil Motrin Aleve Lyrica Neurontin Cymbalta Nucynta Belbuca Butrans Suboxone Zubsolv Narcan
Exparel Zynrelef Kenalog Depo Medrol Decadron Celestone Toradol Mobic Celebrex Flexeril Zanaflex
Robaxin Skelaxin Baclofen Lidoderm Flector Voltaren Qutenza Ajovy Aimovig Emgality Botox Ubrelvy
Nurtec Xtampza Oxycontin Percocet Norco Vicodin Dilaudid Ultram Methadone Fentanyl Duragesic
Nevro Medtronic Boston Stryker Saluda Evoke Proclaim Intellis WaveWriter Senza Vertos Intracept
Relievant SPRINT Spr Sprint Mild Superion Vertiflex Coolief Avanos Halyard Bioness
Stimwave Nalu Axonics Inspire Omnipod Dexcom Freestyle Libre Medline Baxter Pfizer Lilly Merck
Las Los San Santa Vegas Angeles Francisco Diego Antonio Johns Epic Cerner MyChart Zoom Teams Slack
Google Apple Microsoft Amazon Facebook Twitter Instagram
""")

# Eponyms of signs, tests and syndromes: a capitalised word that is a person long dead.
EPONYMS = _words("""
Tinel Spurling Faber Horner Sequard Séquard Guillain Barre Barré Parsonage Gaenslen Babinski
Lhermitte Waddell Phalen Finkelstein Adson Lasegue Lasègue Yeoman Neer Yergason Romberg Trendelenburg
Fortin Maigne Bertolotti Baastrup Scheuermann Schmorl Modic Pfirrmann Meyerding Tarlov Chiari Raynaud
Sudeck Quervain Dupuytren Marfan Ehlers Danlos Charcot Tooth Tourette Tietze Mondor Kernig Brudzinski
Valsalva Apley McMurray Lachman Thessaly Stinchfield Wallenberg Sjogren Sjögren Behcet Behçet Crohn
Hashimoto Cushing Parkinson Alzheimer Huntington Gehrig Bechterew Forestier Schlatter Perthes Kienbock
Preiser Colles Monteggia Galeazzi Maisonneuve
""")

# Latin-1 and Latin Extended-A letters (Łukasz, Wiśniewski, Şahin); the block mixes cases, so both sets have it.
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ž"
_LOWER = "a-zß-öø-ÿĀ-ž"
_TOKEN = rf"(?:Mc|Mac|O['’])?[{_UPPER}][{_LOWER}]+(?:['’-][{_UPPER}{_LOWER}][{_LOWER}]+)*"
_PARTICLE = r"(?:de la|de los|del|de|van der|van den|van|von|da|dos|das|di|du|le|la|bin|ibn|al|el|st\.?)"
_NAME_RUN = re.compile(rf"(?:[{_UPPER}]\.\s?)?{_TOKEN}(?:(?:\s+{_PARTICLE})?\s+(?:[{_UPPER}]\.\s?)?{_TOKEN}){{0,3}}")
_WORD = re.compile(_TOKEN)

# Cues in front of a name. Matched case-insensitively except for the titles.
_TITLE_CUE = re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Miss|Mister|Messrs)\b\.?[ \t]+")
_PATIENT_CUE = re.compile(
    r"\b(?:(?:my|our|the|this|a|your|his|her|same|former|new|old|prior|previous|elderly|young|"
    r"\d{1,3}[ -]?(?:yo|y/o|year[ -]old))[ \t]+)?"
    r"(?:pt|pts|patient|client|gentleman|lady|veteran|claimant)\b\.?(?:[ \t]*[:,-])?[ \t]+"
    r"|\b(?:pt|patient)(?:'s)?[ \t]+name(?:[ \t]+is|[ \t]+was)?[ \t]*:?[ \t]*"
    r"|\bname[ \t]*:[ \t]*", re.IGNORECASE)
_RELATIVE_CUE = re.compile(
    r"\b(?:his|her|their|my|the|pt's|patient's|whose|a|with|(?-i:[A-Z][a-z]+)['’]s)[ \t]+"
    r"(?:(?:late|ex-?|older|younger|eldest|"
    r"oldest|adult|teenage|step|twin|only)[ \t-]?)?"
    r"(?:wife|husband|spouse|son|daughter|mother|mom|mum|father|dad|brother|sister|partner|fianc[eé]e?|"
    r"girlfriend|boyfriend|grandson|granddaughter|grandmother|grandfather|grandma|grandpa|niece|nephew|"
    r"aunt|uncle|cousin|caregiver|carer|guardian|neighbou?r|roommate|child|kid|baby|stepson|stepdaughter|"
    r"sibling|twin|family member|next of kin|poa|health care proxy|healthcare proxy|proxy)"
    r"(?:[ \t]*,[ \t]*|[ \t]*\([ \t]*|[ \t]+(?:is[ \t]+|was[ \t]+)?(?:named[ \t]+|called[ \t]+)?)", re.IGNORECASE)
_NAMING_CUE = re.compile(
    r"\b(?:named|called|goes by|went by|name is|name was|whose name is|known as|nicknamed|by the name of|"
    r"introduced (?:himself|herself|themselves) as|signed (?:in|up) as|registered as|checked in as)[ \t]+",
    re.IGNORECASE)
_PERSON_NOUN = re.compile(
    r"\b(?:man|woman|guy|gentleman|lady|girl|boy|patient|pt|veteran|farmer|teacher|nurse|retiree|mother|"
    r"father|wife|husband|son|daughter|kid|child|baby|teen|teenager|student|athlete|someone|person|"
    r"male|female|friend|neighbou?r|he|she|they)\b[^.;]{0,25}$", re.IGNORECASE)

# Age and sex right after a name or initials: "J.S. 62M", "Maria Lopez (45F)", "Hope, 34,".
_AGE_SEX_AFTER = re.compile(
    r"[ \t]*[,(]?[ \t]*(?:(?:a|an)[ \t]+)?\d{1,3}[ \t]?(?:-?[ \t]?(?:y/?o|yo|yrs?|years?[ \t-]old|year-old|"
    r"y\.o\.)[ \t]*)?(?:M|F|m|f|male|female|man|woman|gentleman|lady|boy|girl|yo\b|y/o\b|-?year-old\b|"
    r"years? old\b)(?![A-Za-z])|[ \t]*,[ \t]*\d{1,3}[ \t]*,")
_INITIALS = re.compile(r"\b[A-Z]\.[ \t]?[A-Z]\.(?:[ \t]?[A-Z]\.)?|\b[A-Z]{2,3}\b")
_CUED_INITIALS = re.compile(
    r"\b(?:pt|patient|Mr|Mrs|Ms|Miss)\.?[ \t]+(?-i:(?:[A-Z]\.[ \t]?){1,3})(?![A-Za-z])|"
    r"\b(?:pt|patient)[ \t]+(?:initials[ \t]+)?(?-i:[A-Z]{2,3})\b(?=[ \t]*[,(]?[ \t]*\d)", re.IGNORECASE)
# Two or three capitalised words: a candidate first name and surname without a cue.
_PAIR = re.compile(rf"\b([{_UPPER}][{_LOWER}]+)(?=[ \t]+(?:[{_UPPER}]\.[ \t]*)?({_TOKEN})\b)")

# What marks a name as a colleague, an author or a thing rather than a patient.
_PROFESSIONAL_BEFORE = re.compile(
    r"(?:\b(?:dr|drs|doctor|prof|professor|dean|colleague|mentor|attending|fellow|resident|chair|chief|"
    r"director|pd|apd|coordinator|speaker|presenter|author|editor|surgeon|anesthesiologist|physiatrist|"
    r"neurologist|radiologist|np|pa|crna|rn|nurse|by|per|cc|thanks(?: to)?|thank you(?: to)?|shout[ -]out to|"
    r"congrats(?: to)?|congratulations(?: to)?|welcome|invited|"
    r"featuring|moderated by|hosted by|led by|according to|via|sen|senator|rep|gov|president|st|saint|"
    r"lecture|lectureship|award|memorial)s?\b\.?,?[ \t]*$|@$)", re.IGNORECASE)
# Names listed before this one: "our new fellows Ana Costa and Tomás Ruiz", "Drs. Lee, Park and Kim".
# (A comma alone needs a full name before it: "Dr. Lee, Maria Lopez is the one" names a patient.)
_LISTED_BEFORE = re.compile(r"(?:[A-Z][\w'’.-]*[ \t]+){0,2}[A-Z][\w'’-]*[ \t]*,?[ \t]+(?:and|&)[ \t]+$"
                            r"|(?:[A-Z][\w'’-]*[ \t]+){1,2}[A-Z][\w'’-]*[ \t]*,[ \t]*$")
_PROFESSIONAL_AFTER = re.compile(
    r"^(?:'s?|’s?)?[ \t]*,?[ \t]*(?:md|do|phd|mbbs|mbchb|mph|ms|msc|ma|mba|frcpc|frca|fipp|dabpm|crna|np|"
    r"pa-c|pa|rn|dnp|pharmd|dpt|jr|sr|iii|et al|and colleagues|and coworkers|and co-?authors|"
    r"\((?:19|20)\d\d\)|(?:19|20)\d\d|lecture|lectureship|award|memorial|professor|chair|institute|"
    r"university|college|hospital|clinic|center|centre|foundation|scientific|medical|health|pharma|inc\b|"
    r"llc|&|and sons|associates|group|lab\b|laboratory|school|road|street|avenue|blvd|drive|lane|hall|"
    r"library|building|pavilion|tower|protocol|technique|approach|method|algorithm|criteria|classification|"
    r"sign|test|maneuver|manoeuvre|syndrome|disease|needle|procedure|block|talk|slides|paper|review|chapter|"
    r"book|textbook|course|workshop|lab|group|team|rule|score|scale|grade|trial|study|case series|"
    r"presented(?! with)|spoke|lectured|gave a talk|gave the|will speak|will present|wrote|published|showed|"
    r"reported in|taught|teaches|trained|moderated|chaired|argued|recommends|recommended|suggests|"
    r"found that|et al)(?![A-Za-z])", re.IGNORECASE)
_CLINICAL_AFTER = re.compile(
    r"^[ \t]*,?[ \t]*(?:presented with|presents with|came in|comes in|was admitted|was seen|was referred|"
    r"underwent|is s/p|s/p|complains|reports|denies|has had|had a|had an|is a|was a|, a|,? \d{1,3}|"
    r"returned|followed up|got|received|failed|tolerated|called the|called our|is scheduled|was scheduled)",
    re.IGNORECASE)
# A capitalised institution word right after a first name and surname: a place named after a person
# ("Henry Ford Health", "Beth Israel Deaconess", "the Melinda Gates Foundation"), not a patient.
_INSTITUTION = _words("""
Health Healthcare Hospital Hospitals Foundation Clinic Clinics Medical Medicine Institute University College Center
Centre Deaconess Western Eastern Northern Southern Hospice Pavilion Surgery Surgical Cancer Heart Children's
Children’s Orthopedics Orthopaedics Rehabilitation Rehab Memorial General Regional Infirmary Trust Fund Library
Hall Building School Award Lecture Prize Fellowship Scholarship
""")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][\w'’]*)")
_CITATION = re.compile(r"\bet al\b|\bdoi\b|\bpmid\b|;\s*\d+\s*\(\d+\)\s*:|\d{4};\d+", re.IGNORECASE)


def _name_run(text: str, pos: int, *, first_free: bool = False) -> tuple[int, int] | None:
    """The span of capitalised name words starting at ``pos``, without trailing non-name words."""
    match = _NAME_RUN.match(text, pos)
    if not match:
        return None
    keep = []
    for word in _WORD.finditer(text, match.start(), match.end()):
        token = word.group(0)
        if token in NOT_NAME and not (first_free and not keep and _known(token)):
            break
        keep.append(word)
    if not keep:
        return None
    start = match.start()
    return start, keep[-1].end()


def _surname(token: str, names: frozenset[str] = SURNAMES) -> bool:
    """A listed surname, whatever its apostrophes, capitals or hyphens: O'Brien, McAllister, Cohen-Levy."""
    if token in names:
        return True
    plain = token.replace("'", "").replace("’", "").title()
    return plain in names or any(part in names for part in plain.split("-") if len(plain) > len(part))


def _any_surname(token: str) -> bool:
    """A surname on the curated or the broad lists."""
    return _surname(token) or _surname(token, MORE_SURNAMES)


def _any_first_name(token: str) -> bool:
    return token in FIRST_NAMES or token in MORE_FIRST_NAMES


def _known(token: str) -> bool:
    return _any_first_name(token) or _any_surname(token)


def _listed_pair(first: str, last: str) -> bool:
    """A first name and surname without a cue: a curated first name that is not also a word, a curated
    surname, or a first name and a surname that are both listed (the broad lists hold no English words)."""
    if first in FIRST_NAMES and first not in AMBIGUOUS_FIRST:
        return True
    if _surname(last):
        return True
    return _any_first_name(first) and _surname(last, MORE_SURNAMES)


_TITLE_GATE = frozenset({"mr", "mrs", "ms", "mx", "miss", "mister", "messrs"})
_PATIENT_GATE = frozenset({"pt", "pts", "patient", "client", "gentleman", "lady", "veteran", "claimant", "name"})
_RELATIVE_GATE = _words(
    "wife husband spouse son daughter mother mom mum father dad brother sister partner fiance fiancee fiancé "
    "fiancée girlfriend boyfriend grandson granddaughter grandmother grandfather grandma grandpa niece nephew "
    "aunt uncle cousin caregiver carer guardian neighbor neighbour roommate child kid baby stepson "
    "stepdaughter sibling twin family next poa proxy")
_INITIALS_GATE = frozenset({"pt", "patient", "mr", "mrs", "ms", "miss"})
_FAMILY_GATE = frozenset({"family", "household", "twins", "kids", "children", "parents", "boys", "girls"})
_FAMILY = re.compile(rf"\b[Tt]he[ \t]+({_TOKEN})[ \t]+(?:family|household|twins|kids|children|parents|boys|girls)\b")
_NAMING_GATE = frozenset({"named", "called", "goes", "went", "name", "known", "nicknamed", "introduced", "signed",
                          "registered", "checked"})


def cued_names(text: str, words: frozenset, digits: bool, found: list[tuple[int, int, bool]]) -> None:
    """Names after a title, a patient or relative cue, or a naming verb: strong."""
    if not words.isdisjoint(_TITLE_GATE):
        _titled(text, found)
    if not words.isdisjoint(_PATIENT_GATE):
        _after_patient_cue(text, found)
    if not words.isdisjoint(_RELATIVE_GATE):
        _after_relative_cue(text, found)
    if not words.isdisjoint(_NAMING_GATE):
        _after_naming_cue(text, found)
    if not words.isdisjoint(_INITIALS_GATE):
        _cued_initials(text, found)
    if not words.isdisjoint(_FAMILY_GATE):
        for family in _FAMILY.finditer(text):
            if _surname(family.group(1)) or family.group(1) not in NOT_NAME:
                found.append((family.start(1), family.end(1), True))
    if digits:
        _initials(text, found)


def _titled(text: str, found: list) -> None:
    for cue in _TITLE_CUE.finditer(text):
        run = _name_run(text, cue.end(), first_free=True)
        if run:
            found.append((cue.start(), run[1], True))
        else:
            initial = re.match(r"[A-Z]\.", text[cue.end():cue.end() + 2])
            if initial:
                found.append((cue.start(), cue.end() + 2, True))


def _after_patient_cue(text: str, found: list) -> None:
    for cue in _PATIENT_CUE.finditer(text):
        run = _name_run(text, cue.end())
        if run and not _professional(text, run[0], run[1]):
            first = _WORD.match(text, run[0])
            if first and (first.group(0) not in NOT_NAME):
                found.append((run[0], run[1], True))


def _after_relative_cue(text: str, found: list) -> None:
    for cue in _RELATIVE_CUE.finditer(text):
        run = _name_run(text, cue.end())
        if run and not _professional(text, run[0], run[1]):
            found.append((run[0], run[1], True))


def _after_naming_cue(text: str, found: list) -> None:
    for cue in _NAMING_CUE.finditer(text):
        run = _name_run(text, cue.end())
        if not run:
            continue
        first = _WORD.match(text, run[0])
        if first and (_known(first.group(0)) or _PERSON_NOUN.search(text, max(0, cue.start() - 40), cue.start())):
            found.append((run[0], run[1], True))


def _cued_initials(text: str, found: list) -> None:
    for cue in _CUED_INITIALS.finditer(text):
        found.append((cue.start(), cue.end(), True))


def _initials(text: str, found: list) -> None:
    for initials in _INITIALS.finditer(text):
        after = _AGE_SEX_AFTER.match(text, initials.end())
        if after and (initials.group(0)[1] == "." or _plausible_age_sex(after.group(0))):
            found.append((initials.start(), initials.end(), True))


def _plausible_age_sex(tail: str) -> bool:
    """Undotted initials ("JS 62M") only with an age and a sex, so "CT 12" or "L5 S1" stay clean."""
    return bool(re.search(r"\d{1,3}[ \t]?(?:M|F|yo|y/o)\b", tail))


def _professional(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 30):start]
    after = text[end:end + 40]
    if _PROFESSIONAL_BEFORE.search(before) or _PROFESSIONAL_AFTER.match(after):
        return True
    for _ in range(4):  # back over up to four listed names: "Congrats to A B, C D and E F"
        listed = _LISTED_BEFORE.search(text, max(0, start - 60), start)
        if not listed:
            return False
        # The listed run may have taken in the cue itself ("Thanks Ana Costa and"): try each word start.
        offsets = [0] + [m.end() for m in re.finditer(r"[ \t]+", listed.group(0))]
        if any(_PROFESSIONAL_BEFORE.search(text, max(0, listed.start() + offset - 30), listed.start() + offset)
               for offset in offsets):
            return True
        start = listed.start()
    return False


def _institution(text: str, last: str, end: int) -> bool:
    """The pair ends in, or is followed by, an institution word: "Beth Israel Deaconess", "Henry Ford Health"."""
    if last in _INSTITUTION:
        return True
    following = _NEXT_WORD.match(text, end)
    return bool(following and following.group(1) in _INSTITUTION)


def uncued_names(text: str, found: list[tuple[int, int, bool]]) -> None:
    """A listed first name and a surname, with age and sex after it or no professional context around."""
    for pair in _PAIR.finditer(text):
        first, last = pair.group(1), pair.group(2)
        start, end = pair.start(), pair.end(2)
        if first in NOT_NAME or last in NOT_NAME:
            continue
        run = _NAME_RUN.match(text, start)
        if _AGE_SEX_AFTER.match(text, end):
            found.append((start, end, True))
            continue
        if last in EPONYMS or first in EPONYMS:
            continue
        if not _listed_pair(first, last):
            continue
        if (_professional(text, start, max(end, run.end() if run else end)) or _institution(text, last, end)
                or _CITATION.search(text, max(0, start - 80), end + 80)):
            continue
        after = text[end:end + 40]
        strong = bool(_AGE_SEX_AFTER.match(after) or _CLINICAL_AFTER.match(after))
        found.append((start, end, strong))
    # A single first name with an age right after it: "Hope, 34, came in", "Jordan (17M)".
    for word in re.finditer(rf"\b[{_UPPER}][{_LOWER}]+\b", text):
        token = word.group(0)
        if _any_first_name(token) and token not in NOT_NAME:
            after = _AGE_SEX_AFTER.match(text, word.end())
            if after and re.search(r"\d", after.group(0)) and not _professional(text, word.start(), word.end()):
                found.append((word.start(), word.end(), True))
