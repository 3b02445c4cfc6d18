"""The patient-identifier check of a form: the draft with its matches highlighted, and what the author
must do. Shared by every surface that takes free text (messages, mentoring notes, profiles, ...).

Strong identifiers (a cued name, MRN, SSN, date of birth, street address) are never waved through:
on a surface without moderators the text is refused until they are removed. Weaker matches need the
author's confirmation.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from markupsafe import Markup

from network.text.phi import Span, find_phi


@dataclass(frozen=True)
class PhiCheck:
    html: Markup  # the draft, escaped, with each match in <mark title="what it looks like">
    strong: bool  # holds a strong identifier: it must go
    kinds: tuple[str, ...]

    @property
    def message(self) -> str:
        if self.strong:
            return ("This text contains patient identifiers (highlighted) that cannot be sent or saved. "
                    "Remove them and try again.")
        return ("This text may contain patient identifiers (highlighted). Remove them, or tick the box to "
                "confirm they are not patient information.")


def highlight(text: str, spans: list[Span]) -> Markup:
    """``text`` as escaped HTML with each span wrapped in ``<mark>``."""
    parts = []
    position = 0
    for span in spans:
        parts.append(html.escape(text[position:span.start]))
        parts.append(f'<mark title="{html.escape(span.label)}">{html.escape(text[span.start:span.end])}</mark>')
        position = span.end
    parts.append(html.escape(text[position:]))
    return Markup("".join(parts))  # noqa: S704 (every part escaped above)


def mark(text: str | None, names: bool = True) -> Markup:
    """``text`` escaped with its matches highlighted (for a preview); ``names=False`` leaves a bare name
    unmarked where a column holds a name by design."""
    if not text:
        return Markup("")
    return highlight(text, [span for span in find_phi(text) if names or span.strong or span.kind != "name"])


def check(*texts: str | None) -> PhiCheck | None:
    """The check of one or more fields of a form (joined by blank lines), or None when nothing matches."""
    text = "\n\n".join(t for t in texts if t)
    spans = find_phi(text)
    if not spans:
        return None
    return PhiCheck(highlight(text, spans), any(span.strong for span in spans),
                    tuple(sorted({span.kind for span in spans})))


def blocks(found: PhiCheck | None, confirmed: bool) -> bool:
    """Whether the text may not be saved as it is: strong identifiers always, weaker ones until confirmed."""
    return found is not None and (found.strong or not confirmed)
