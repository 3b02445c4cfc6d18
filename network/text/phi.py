"""Patient identifiers (HIPAA Safe Harbor) in free text. Pure functions: no Flask, no database.

``find_phi(text)`` returns the spans that look like an identifier of a patient or a relative,
in order and without overlaps, each with its kind and whether it is *strong* (a name with a
clinical cue, a medical record number, an SSN, a date of birth, a street address: enough to
hold a post for a moderator) or weak (enough to ask the author to confirm). Clinical writing
must not trip it: doses, spinal levels, CPT and ICD codes, vital signs, pain scores, durations,
conference dates, citations, brand names, eponyms and colleagues named in a professional way.

Measured on a labelled corpus by ``benchmarks/phi.py``; names are found by ``phi_names``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from network.text.phi_names import cued_names, uncued_names

#: What each kind of span is, in words a member reads.
KINDS = {
    "name": "name of a patient or relative",
    "address": "street address or city and ZIP",
    "dob": "date of birth",
    "date": "date tied to a patient",
    "age": "age over 89",
    "phone": "phone or fax number",
    "email": "email address",
    "ssn": "social security number",
    "mrn": "medical record number",
    "account": "account or encounter number",
    "health_plan": "health plan or insurance number",
    "licence": "licence or certificate number",
    "device": "device serial number",
    "url": "patient-specific web address",
    "ip": "IP address",
    "plate": "vehicle plate or VIN",
}
#: Kinds that are strong whatever their context (names are strong only with a cue).
STRONG_KINDS = frozenset({"mrn", "ssn", "dob"})


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str
    strong: bool

    @property
    def label(self) -> str:
        return KINDS[self.kind]


_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?:19|20)\d\d"
_NUMERIC_DATE = rf"(?:0?[1-9]|1[0-2])([/.-]){_DAY}\1(?:{_YEAR}|\d\d)(?![\d/.-]\d)"
_DAY_FIRST_DATE = rf"(?:1[3-9]|2\d|3[01])([/.-])(?:0?[1-9]|1[0-2])\2(?:{_YEAR}|\d\d)(?![\d/.-]\d)"
_ISO_DATE = rf"{_YEAR}(?:-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])|/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))\b"
_WORD_DATE_YEAR = (rf"(?:{_MONTH}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}"
                   rf"|{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}"
                   rf"|{_DAY}-{_MONTH}-(?:{_YEAR}|\d\d)|{_YEAR}\s+{_MONTH}\.?\s+{_DAY})")
_WORD_DATE = (rf"(?:{_MONTH}\.?\s+{_DAY}(?:st|nd|rd|th)?(?!\d|:\d|-\d)(?!\s*(?:-|–|to|through)\s*\d)"
              rf"|(?:the\s+)?{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?!\s*(?:-|–)))")
_FULL_DATE = re.compile(rf"\b(?:{_ISO_DATE}|{_WORD_DATE_YEAR}|{_NUMERIC_DATE}|{_DAY_FIRST_DATE})",
                        re.IGNORECASE)
_DAY_DATE = re.compile(rf"\b{_WORD_DATE}", re.IGNORECASE)
_SHORT_NUMERIC = re.compile(r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])\b(?![/\d])")
_DATE_CUE_BEFORE = re.compile(
    r"\b(?:on|since|from|until|dated|dos|d\.o\.s\.?|admitted|admission|discharged|seen|visit|surgery|"
    r"procedure|injected|implanted|fell|fall|mva|mvc|died|expired|passed|scheduled|booked|last|"
    r"next|f/u|follow[- ]up|fu|ed|er|adm|dc|d/c|s/p|done|performed|placed|explanted|trialed|doi)"
    rf"\s*:?(?:\s+(?:on\s+)?{_WEEKDAY}\.?,?)?\s*$", re.IGNORECASE)
# A bare day of the month ("admitted on the 12th", "ED visit Sunday the 3rd") after a patient event only,
# and only where no noun follows ("the 3rd floor", "the 2nd attempt" are not dates).
_ORDINAL_DAY = re.compile(
    rf"\b(?:admitted|admission|discharged|seen|visit|surgery|procedure|injected|implanted|explanted|fell|"
    rf"fall|mva|mvc|died|expired|passed away|dos|ed|er|presented|came in|injury|doi|overdosed?|od'd)"
    rf"(?:\s+(?:on|since|from|until))?(?:\s+{_WEEKDAY},?)?\s+(?P<v>the\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th))\b"
    rf"(?=\s*(?:[,.;:)!?]|$|(?:after|and|for|at|in|with|when|but|to|from|by|until|of (?:this|last) month)\b))",
    re.IGNORECASE)
_DOB_CUE = re.compile(
    r"\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|bday|born(?: on)?)\s*(?:is|was|of|:|#|-)?\s*",
    re.IGNORECASE)
_DOB_VALUE = re.compile(rf"(?:{_ISO_DATE}|{_WORD_DATE_YEAR}|{_NUMERIC_DATE}|{_DAY_FIRST_DATE}|"
                        rf"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])|{_WORD_DATE})", re.IGNORECASE)
# Dates of events that are not a patient's: meetings, deadlines, publications.
_EVENT_CONTEXT = re.compile(
    r"\b(?:conference|meeting|congress|summit|symposi(?:um|a)|webinar|workshop|course|lecture|grand rounds|"
    r"journal club|deadline|due|abstract|registration|register|early[- ]bird|cme|session|keynote|"
    r"exam|board|oral|written|ite|in-training|interview|match|eras|application|"
    r"published|epub|accepted|submitted|issue|volume|vol|doi|pmid|et al|asra|nans|aapm|asipp|sis|"
    r"wip|isis|aaos|nass|asa|retreat|cadaver|lab|hands-on|virtual|zoom|call for|"
    r"office (?:is |will be )?closed|holiday|vacation|pto|rotation|orientation|graduation|"
    r"start|start date|begin|rsvp|dinner|reception|happy hour|gala|vote|election|renewal|"
    r"moc|certification|talk|podcast|newsletter|release|fda|approval|launch|guideline|consensus|policy|"
    r"effective|cms|fellow|resident|class|site visit|visiting professor|study group|review)(?:s|es)?\b",
    re.IGNORECASE)
_PATIENT_EVENT = re.compile(
    r"\b(?:admitted|discharged|dob|born|underwent|s/p|injected|implanted|explanted|seen in|saw (?:him|her)|"
    r"his|her|he|she|pt|patient|died|fell|mva|mvc|dos|ed visit|er visit|surgery on|procedure on|"
    r"presented|accident|overdose|od'd|fusion|rfa|tfesi|esi|block|trial(?:ed)? on|follow[- ]up)\b"
    # DOI followed by a date is a date of injury, not a digital object identifier (those start "10.").
    r"|\bdoi\s*:?\s*(?=\d{1,2}[/.]\d{1,2}\b|\d{1,2}-\d{1,2}-\d|(?:19|20)\d\d/\d)",
    re.IGNORECASE)

_AGE = re.compile(
    r"\b(?:9\d|1[01]\d)(?:[ -]?(?:years?|yrs?|y)[ -]?(?:old|o\b|/o)|[ -]?yo\b|[ -]?y\.o\.|[ -]?y/o\b|"
    r"[ -]year-old|[ -]?(?:M|F)\b(?![/-])| ?(?:yom|yof|yowm|yowf|yo[mf])\b)"
    r"|\b(?:aged?|age:|age of|age is|aged:)\s*(?:9\d|1[01]\d)\b(?!\s*(?:%|mg|ml|mcg|days|mme|minutes))"
    r"|\bat (?:9\d|1[01]\d)(?=\s*,)|\b(?:9\d|1[01]\d)(?:th)? birthday\b|\bturn(?:s|ed|ing)? (?:9\d|1[01]\d)\b",
    re.IGNORECASE)

_PHONE = re.compile(
    r"(?<![\w/.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?![\w/-])"
    r"|(?<![\w/.-])\+\d{1,3}(?:[\s.-]\d{1,4}){2,4}(?![\w/-])"
    r"|(?i:\b(?:phone|tel|cell|mobile|fax|call|text|ph|number|#)\s*[:.]?\s*)\d{3}[-.]\d{4}\b"
    r"|(?<![\w/.-])1?[2-9]\d{2}[2-9]\d{6}(?![\w/.-])(?=[^.\d]|$)")
_EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_SSN = re.compile(
    r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"
    r"|(?i:\b(?:ssn|ss#|ss no\.?|social security(?: number| no\.?| #)?|social)\s*(?:is|was|of|:|#|-)?\s*"
    r"(?:ending in |last (?:4|four)[: ]+)?)(?:\d{3}[ -]?\d{2}[ -]?\d{4}|\d{4})\b")
_ID = r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,19}\b"
_LABELLED = [
    ("mrn", re.compile(
        rf"(?i:\b(?:mrn|mr#|mr no\.?|med rec(?:ord)?(?: no\.?| #| number)?|medical record(?: number| no\.?| #)?|"
        rf"chart(?: number| no\.?| #| id)|hospital (?:number|no\.?|#|id)|patient (?:id|number|no\.?|#)|pt (?:id|#)|"
        rf"unit (?:number|no\.?)|accession(?: number| no\.?| #)?|case (?:number|no\.?|#))"
        rf"\s*(?:is|was|of|:|#|-|=)?\s*(?:is\s*)?#?\s*)(?P<v>{_ID})")),
    ("account", re.compile(
        rf"(?i:\b(?:acct|account|billing|encounter|fin|csn|har|visit|claim|invoice|guarantor)"
        rf"(?: number| no\.?| #| id)?\s*(?:is|was|:|#|-|=)?\s*#?\s*)(?P<v>{_ID})")),
    ("health_plan", re.compile(
        rf"(?i:\b(?:member|subscriber|policy|group|insurance|plan|beneficiary|medicaid|medicare|mbi|hicn|"
        rf"tricare|bcbs|aetna|cigna|humana|uhc|united(?:healthcare)?|anthem|kaiser|workers'? comp)"
        rf"(?: id| number| no\.?| #| card)?\s*(?:is|was|:|#|-|=)?\s*#?\s*)(?P<v>{_ID})")),
    ("licence", re.compile(
        rf"(?i:\b(?:driver'?s? licen[cs]e|dl|licen[cs]e|lic\.?|certificate|cert\.?|permit|passport|state id|"
        rf"dea)(?: number| no\.?| #| id)?\s*(?:is|was|:|#|-|=)?\s*#?\s*)(?P<v>{_ID})")),
    ("device", re.compile(
        rf"(?i:\b(?:serial(?: number| no\.?| #)?|s/n|sn\s*[:#]|ser\.? no\.?|device (?:id|serial)|udi|"
        rf"ipg(?: serial)?|imei|model/serial)\s*(?:is|was|:|#|-|=)?\s*#?\s*)(?P<v>{_ID})")),
    ("plate", re.compile(
        r"(?i:\b(?:licen[cs]e plates?|plates?|tag|registration)(?: number| no\.?| #)?\s*(?:is|was|:|#|-|=|of)?\s*"
        r"(?:[A-Za-z]+ )?)(?P<v>(?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])[A-Z0-9]{1,4}[ -]?[A-Z0-9]{2,5})\b")),
]
_VIN = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}\b")
_MBI = re.compile(r"\b[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2}\b")
_BARE_NUMBER = re.compile(r"(?<![\w.,/:$#-])(?:[A-Z]{1,3}-?)?\d{7,12}(?![\w.,/%-]|\.\d)|"
                          r"(?<![\w.,/:$#-])\d{3,6}-\d{4,8}(?![\w.,/%-]|\.\d)")
_NOT_RECORD_BEFORE = re.compile(
    r"\b(?:pmid|pmcid|doi|nct|isbn|issn|ndc|cpt|icd(?:-?10)?|hcpcs|npi|lot|ref|page|pages|pp\.?|vol\.?|"
    r"isrctn|clinicaltrials\.gov|trial|irb|protocol|grant|award|version|v|build|order|tracking)[\s:#.]*$",
    re.IGNORECASE)

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_PATIENT_URL = re.compile(
    r"(?:patient|pt[_-]?id|mrn|chart|record|mychart|epic|cerner|athena|ehr|emr|encounter|pacs|dicom|"
    r"imaging|x-?ray|scan|photo|img|image|upload|share|/s/|/d/|file|case[-_/]?\d|\bid=\d|[?&](?:pid|uid|mrn)=|"
    r"dropbox|drive\.google|docs\.google|box\.com|imgur|icloud|onedrive|1drv\.ms|wetransfer|photos\.|"
    r"gofundme|facebook\.com|instagram\.com|tiktok\.com|legacy\.com|obituar)", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}(?::|(?::[0-9a-fA-F]{1,4}){1,6}|[0-9a-fA-F]{1,4})(?![\w:])")

_STREET_TYPES = (r"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
                 r"terrace|ter|circle|cir|highway|hwy|parkway|pkwy|trail|trl|square|sq|loop|pike|row|crescent|"
                 r"alley|run|path|crossing|xing|point|pt|ridge|bend|cove|hollow|manor)")
_STATES = (r"(?:A[LKZR]|C[AOT]|D[EC]|F[LM]|G[AU]|HI|I[ADLN]|K[SY]|LA|M[ADEHINOPST]|N[CDEHJMVY]|O[HKR]|P[AR]|"
           r"RI|S[CD]|T[NX]|UT|V[AIT]|W[AIVY]|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|"
           r"Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|"
           r"Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
           r"New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|"
           r"Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|"
           r"Washington|West Virginia|Wisconsin|Wyoming|Calif\.|Fla\.|Mass\.|Penn\.|Tex\.|Mich\.|Ill\.)")
_CAP = r"[A-Z][a-zA-Z'’.-]*"
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#|room|rm|lot|bldg|floor|fl)\.?\s*#?\s*[A-Z0-9-]{1,6}\b)?"
_CITY_ZIP = rf"(?:,?\s+{_CAP}(?:\s+{_CAP}){{0,2}},?\s+{_STATES}\.?,?(?:\s+\d{{5}}(?:-\d{{4}})?)?)?"
_STREET = re.compile(
    rf"\b\d{{1,6}}[A-Z]?(?:-\d{{1,4}})?\s+(?:(?i:[NSEW]\.?|north|south|east|west|NE|NW|SE|SW)\s+)?"
    rf"(?:(?:{_CAP}|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,3}}{_STREET_TYPES}\b\.?"
    rf"(?:\s+(?i:[NSEW]|NE|NW|SE|SW)\b\.?)?{_UNIT}{_CITY_ZIP}")
_PO_BOX = re.compile(r"\b(?i:p\.?\s?o\.?\s?box|post office box)\s+\d{1,6}\b")
_CITY_STATE_ZIP = re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,2}},?\s+{_STATES}\.?,?\s+\d{{5}}(?:-\d{{4}})?\b")
_ZIP_LABEL = re.compile(r"(?i:\b(?:zip|zip code|zipcode|postal code)\s*(?:is|was|:|#|of)?\s*)\d{5}(?:-\d{4})?\b")
_LIVES_ON = re.compile(
    rf"(?i:\b(?:lives|living|lived|resides|residing|moved|stays|staying|house|home)\s+(?:on|off|at|in|near)\s+"
    rf"(?:the\s+(?:corner of\s+)?)?)(?:{_CAP}\s+){{1,3}}{_STREET_TYPES}\b")
# Apartment, building or lot number tied to where someone lives.
_UNIT_ALONE = re.compile(r"(?i:\b(?:lives in|lives at|from|in)\s+)(?i:apt|apartment|unit)\.?\s*#?\s*[A-Z0-9-]{1,5}\b")

# Every recogniser and whether its spans are strong; names come from ``phi_names``.
# A recogniser runs only when the text holds one of its gate words (lower case), or a digit where the
# gate is None: most sentences skip most recognisers for the price of one set intersection.
_DIGITS = None
_SIMPLE = [
    ("email", _EMAIL, False, {"@"}),
    ("ssn", _SSN, True, _DIGITS),
    ("address", _PO_BOX, False, {"box"}),
    ("address", _CITY_STATE_ZIP, False, _DIGITS),
    ("address", _ZIP_LABEL, False, {"zip", "zipcode", "postal"}),
    ("address", _LIVES_ON, False, {"lives", "living", "lived", "resides", "residing", "moved", "stays", "staying",
                                   "house", "home"}),
    ("address", _UNIT_ALONE, False, {"apt", "apartment", "unit"}),
    ("address", _STREET, True, _DIGITS),
    ("age", _AGE, False, _DIGITS),
    ("health_plan", _MBI, False, _DIGITS),
    ("plate", _VIN, False, _DIGITS),
]
_LABEL_GATES = {
    "mrn": {"mrn", "mr", "med", "medical", "chart", "hospital", "patient", "pt", "unit", "accession", "case"},
    "account": {"acct", "account", "billing", "encounter", "fin", "csn", "har", "visit", "claim", "invoice",
                "guarantor"},
    "health_plan": {"member", "subscriber", "policy", "group", "insurance", "plan", "beneficiary", "medicaid",
                    "medicare", "mbi", "hicn", "tricare", "bcbs", "aetna", "cigna", "humana", "uhc", "united",
                    "unitedhealthcare", "anthem", "kaiser", "workers", "comp"},
    "licence": {"driver", "drivers", "dl", "license", "licence", "lic", "certificate", "cert", "permit", "passport",
                "state", "dea"},
    "device": {"serial", "s", "sn", "ser", "device", "udi", "ipg", "imei", "model"},
    "plate": {"license", "licence", "plate", "plates", "tag", "registration"},
}
_WORDS = re.compile(r"[a-z]+|@")
_DIGIT = re.compile(r"\d")
_DOB_GATE = frozenset({"dob", "d", "birth", "birthdate", "birthday", "bday", "born"})
#: Which kind wins when two spans overlap: the more specific first.
_PRIORITY = {kind: rank for rank, kind in enumerate(
    ["dob", "ssn", "email", "url", "mrn", "health_plan", "account", "licence", "device", "plate", "phone",
     "address", "name", "date", "age", "ip"])}


def find_phi(text: str) -> list[Span]:
    """Likely patient identifiers in ``text``, in order, without overlaps."""
    if not text:
        return []
    found: list[Span] = []
    add = found.append
    words = frozenset(_WORDS.findall(text.lower()))
    digits = _DIGIT.search(text) is not None
    for kind, pattern, strong, gate in _SIMPLE:
        if (digits if gate is None else not words.isdisjoint(gate)):
            for m in pattern.finditer(text):
                add(Span(m.start(), m.end(), kind, strong))
    if digits:
        _labelled_numbers(text, words, add)
        _phones(text, add)
        _dates(text, words, add)
        for pattern in (_IPV4, _IPV6):
            for m in pattern.finditer(text):
                add(Span(m.start(), m.end(), "ip", False))
    if not words.isdisjoint(("http", "https", "www")):
        _urls(text, add)
    names: list[tuple[int, int, bool]] = []
    cued_names(text, words, digits, names)
    uncued_names(text, names)
    for start, end, strong in names:
        add(Span(start, end, "name", strong))
    kept = _without_overlaps(found)
    # A long bare number is a record number only where nothing more specific explains it.
    if not digits:
        return kept
    bare = [Span(m.start(), m.end(), "mrn", False) for m in _BARE_NUMBER.finditer(text)
            if not _NOT_RECORD_BEFORE.search(text, max(0, m.start() - 20), m.start())
            and all(m.end() <= k.start or k.end <= m.start() for k in kept)]
    return sorted(kept + bare, key=lambda s: s.start) if bare else kept


def _labelled_numbers(text: str, words: frozenset, add) -> None:
    for kind, pattern in _LABELLED:
        if words.isdisjoint(_LABEL_GATES[kind]):
            continue
        for m in pattern.finditer(text):
            add(Span(m.start("v"), m.end("v"), kind, kind == "mrn"))


def _phones(text: str, add) -> None:
    for m in _PHONE.finditer(text):
        value = m.group(0)
        if not value[:1].isdigit() and value[:1] not in "+(":
            start = m.start() + len(value) - len(value.lstrip("phonetlcmbiafxu#:. PHONETLCMBIAFXU"))
            add(Span(start, m.end(), "phone", False))
        else:
            add(Span(m.start(), m.end(), "phone", False))


def _dates(text: str, words: frozenset, add) -> None:
    for cue in _DOB_CUE.finditer(text) if not words.isdisjoint(_DOB_GATE) else ():
        value = _DOB_VALUE.match(text, cue.end())
        if value:
            add(Span(cue.start(), value.end(), "dob", True))
    event_seen = None
    for pattern in (_FULL_DATE, _DAY_DATE):
        for m in pattern.finditer(text):
            if pattern is _DAY_DATE and m.group(0)[:3].lower() in ("may", "mar") and not _looks_like_date(m):
                continue
            window = text[max(0, m.start() - 100):m.end() + 100]
            if event_seen is None or event_seen[0] != window:
                event_seen = (window, bool(_EVENT_CONTEXT.search(window)) and not _PATIENT_EVENT.search(window))
            if event_seen[1]:
                continue
            add(Span(m.start(), m.end(), "date", False))
    for m in _ORDINAL_DAY.finditer(text):
        add(Span(m.start("v"), m.end("v"), "date", False))
    for m in _SHORT_NUMERIC.finditer(text):
        before = text[max(0, m.start() - 20):m.start()]
        if _DATE_CUE_BEFORE.search(before) and not re.match(r"/10\b", text[m.end() - 3:m.end()]):
            add(Span(m.start(), m.end(), "date", False))


def _looks_like_date(m: re.Match) -> bool:
    """"May 3" and "Mar 3" are dates only when capitalised: "may 3 times" is a verb and a count."""
    return m.group(0)[0].isupper() and not re.match(r"\s*(?:mg|ml|times|x|days|weeks)\b", m.string[m.end():])


def _urls(text: str, add) -> None:
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:")
        if _PATIENT_URL.search(url):
            add(Span(m.start(), m.start() + len(url), "url", False))


def _without_overlaps(found: list[Span]) -> list[Span]:
    """Keep one span where several overlap: the strong, the specific, the longest; merge none."""
    found.sort(key=lambda s: (_PRIORITY[s.kind], not s.strong, s.start - s.end))
    kept: list[Span] = []
    for span in found:
        if all(span.end <= k.start or k.end <= span.start for k in kept):
            kept.append(span)
    kept.sort(key=lambda s: s.start)
    return kept


def redact(text: str, spans: list[Span], replacement: str = "[removed]") -> str:
    """``text`` with every span replaced by ``replacement``."""
    parts = []
    position = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < position:
            continue
        parts.append(text[position:span.start])
        parts.append(replacement)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def without_phi(text: str | None, replacement: str = "[removed]") -> str:
    """``text`` with every span the detector flags replaced: for previews (notification titles, mail
    subjects and bodies, digests, snippets, excerpts), which never carry an identifier."""
    if not text:
        return text or ""
    spans = find_phi(text)
    return redact(text, spans, replacement) if spans else text
