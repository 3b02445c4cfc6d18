"""CSV roster import: read and check a file (pure), stage the rows, then import the valid ones.

The parsing half takes bytes and lookups and returns data, so it is tested without an app.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from network.text.lines import single_line
from network.text.phi import KINDS, Span, find_phi, without_phi

MAX_BYTES = 1024 * 1024
TOO_LARGE = "The file is larger than 1 MB. Split the roster into smaller files."
MAX_ROWS = 2000
REQUIRED = ("name", "email", "role", "training_background")
ROLES = ("fellow", "faculty")

# What each row ends up as. An existing member is invited like anyone else: they join the cohort only
# when they accept (their own click), never because a program's staff listed their address.
INVITE = "invite"  # an invitation is mailed (to a new person, or to a member who must accept)
SKIP = "skip"  # nothing to do (already in the cohort or invited)
ERROR = "error"  # a problem the file must fix
#: Rows staged before existing members were invited instead of added; read as INVITE.
LEGACY_ADD = "add"

# The row's reason, before and after importing.
WILL_INVITE = "will be invited"
WILL_INVITE_MEMBER = "already a member: will be invited, and joins only if they accept"
INVITED = "invited"
INVITED_MEMBER = "already a member: invited, joins when they accept"


class RosterFileError(Exception):
    """The file as a whole cannot be read; nothing is written."""


@dataclass
class RosterRow:
    line: int
    name: str
    email: str
    role: str
    background: str
    background_id: int | None = None
    extras: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    outcome: str = INVITE
    reason: str = ""
    member: bool = False  # the address belongs to an existing account
    phi: str = ""  # what the weaker patient identifiers in the row look like, for the author to check


    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _header_key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_roster(data: bytes, filename: str, backgrounds: dict[str, int]) -> list[RosterRow]:
    """Parse and check a roster file. ``backgrounds`` maps lower-case names and slugs to term ids.

    Raises ``RosterFileError`` for a file that is not a usable CSV; row problems are listed per row.
    """
    if len(data) > MAX_BYTES:
        raise RosterFileError(TOO_LARGE)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise RosterFileError("The file is UTF-16 text, not UTF-8. Save it again as “CSV UTF-8” and upload that.")
    if not filename.lower().endswith(".csv") or b"\x00" in data[:4096]:
        raise RosterFileError("That is not a CSV file. Export the spreadsheet as “CSV UTF-8 (comma delimited)”.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError("The file is not UTF-8 text. Save it again as “CSV UTF-8” and upload that.") from None
    if not text.strip():
        raise RosterFileError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_header_key(h) for h in next(reader)]
        records = list(reader)
    except csv.Error as exc:
        raise RosterFileError(f"The file could not be read as CSV ({exc}).") from None
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        names = ", ".join(m.replace("_", " ") for m in missing)
        raise RosterFileError(f"The file lacks the {'column' if len(missing) == 1 else 'columns'} {names}. "
                              "The first line must name the columns name, email, role, training background "
                              "(more columns are kept as extras).")
    records = [r for r in records if any(cell.strip() for cell in r)]
    if len(records) > MAX_ROWS:
        raise RosterFileError(f"The file has {len(records):,} rows; at most {MAX_ROWS:,} are imported at once.")
    rows, seen = [], {}
    for number, record in enumerate(records, start=2):
        # One line each: a quoted cell may hold line breaks, and names reach mail subjects.
        values = {key: (single_line(record[i]) if i < len(record) else "") for i, key in enumerate(header)}
        row = RosterRow(line=number, name=values.get("name", "")[:120], email=values.get("email", "").lower(),
                        role=(values.get("role") or "fellow").lower(), background=values.get("training_background", ""),
                        extras={k: v for k, v in values.items() if k not in REQUIRED and v})
        if not row.name:
            row.problems.append("The name is missing.")
        if not row.email:
            row.problems.append("The email is missing.")
        else:
            try:
                row.email = validate_email(row.email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                row.problems.append(f"“{row.email}” is not a valid email address.")
            else:
                if row.email in seen:
                    row.problems.append(f"The email is a duplicate of line {seen[row.email]}.")
                else:
                    seen[row.email] = number
        if row.role not in ROLES:
            row.problems.append(f"The role “{row.role}” is unknown: use fellow or faculty.")
        if row.background:
            row.background_id = backgrounds.get(row.background.lower())
            if row.background_id is None:
                row.problems.append(f"The training background “{row.background}” is unknown.")
        _check_identifiers(row)
        if row.problems:
            row.outcome = ERROR
        rows.append(row)
    return rows


def _identifier_spans(row: RosterRow) -> list[Span]:
    # The name column holds a name by design: only a cued (strong) name or another kind counts there.
    spans = [span for span in find_phi(row.name) if span.strong or span.kind != "name"]
    for value in row.extras.values():
        spans.extend(find_phi(value))
    return spans


def _check_identifiers(row: RosterRow) -> None:
    """A roster is no place for patient identifiers. A row with strong ones (a cued name, MRN, SSN, date of
    birth, street address) is a problem and its cells are kept only with them removed; weaker ones are
    named so the author checks them in the preview before importing."""
    spans = _identifier_spans(row)
    if not spans:
        return
    kinds = ", ".join(sorted({KINDS[span.kind] for span in spans}))
    if any(span.strong for span in spans):
        row.problems.append(f"This row looks like it holds patient identifiers ({kinds}): remove them.")
        row.name = without_phi(row.name)
        row.extras = {key: without_phi(value) for key, value in row.extras.items()}
    else:
        row.phi = kinds


def classify(rows: list[RosterRow], members: dict[str, int], in_cohort: set[str], invited: set[str]) -> None:
    """Decide each valid row's outcome from what exists: members by email, the roster, waiting invitations."""
    for row in rows:
        if row.outcome == ERROR:
            continue
        if row.email in in_cohort:
            row.outcome, row.reason = SKIP, "already in this cohort"
        elif row.email in invited:
            row.outcome, row.reason = SKIP, "already invited (invitation still valid)"
        else:
            row.member = row.email in members
            row.outcome, row.reason = INVITE, WILL_INVITE_MEMBER if row.member else WILL_INVITE


def mark_invited(rows: list[RosterRow]) -> None:
    """After importing: the invited rows say they were invited."""
    for row in rows:
        if row.outcome == INVITE:
            row.reason = INVITED_MEMBER if row.member else INVITED


def counts(rows: list[dict]) -> dict[str, int]:
    """Rows per outcome, and how many of the invited are existing members (``"members"``)."""
    result = {INVITE: 0, SKIP: 0, ERROR: 0, "members": 0}
    for row in rows:
        outcome = INVITE if row["outcome"] == LEGACY_ADD else row["outcome"]
        result[outcome] += 1
        if outcome == INVITE and (row.get("member") or row["outcome"] == LEGACY_ADD):
            result["members"] += 1
    return result
