"""The CV as Markdown text and as a Word document (python-docx); the PDF is ``pdf.py``'s."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.shared import Pt

from network.scholarly_exports.cv import CurriculumVitae

#: Characters Markdown would read as markup in a member's text (titles, names, venues).
_MARKUP = re.compile(r"([\\`*_\[\]<>#|!~])")


def _md(text: str) -> str:
    """``text`` shown as written in Markdown: markup characters escaped, and a start that would open a list
    ("1. ", "- ", "+ ") escaped too."""
    escaped = _MARKUP.sub(r"\\\1", text)
    ordered = re.match(r"(\d+)\.(\s)", escaped)
    if ordered:
        return f"{ordered[1]}\\.{escaped[ordered.end(1) + 1:]}"
    return "\\" + escaped if re.match(r"[-+]\s", escaped) else escaped


def markdown(cv: CurriculumVitae) -> str:
    """The CV as Markdown: a heading per section, one list item per entry; the member's name in bold."""
    lines = [f"# {_md(cv.name)}", ""]
    lines += [f"{_md(line)}  " for line in cv.contact]
    for section in cv.sections:
        lines += ["", f"## {_md(section.heading)}", ""]
        for entry in section.entries:
            lines.append(f"- {_md(entry.text)}" + (f" ({_md(entry.when)})" if entry.when else ""))
        for number, citation in enumerate(section.citations, 1):
            text = "".join(f"**{_md(piece)}**" if bold else _md(piece) for piece, bold in citation.segments())
            lines.append(f"{number}. {text}")
    lines += ["", f"_Prepared on {cv.prepared_on.isoformat()}._", ""]
    return "\n".join(lines)


def docx(cv: CurriculumVitae) -> bytes:
    """The CV as a Word document: Word's own heading and list styles, the member's name in bold runs."""
    document = Document()
    document.core_properties.title = cv.file_stem
    document.core_properties.author = cv.name
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Serif"
    normal.font.size = Pt(10.5)
    document.add_heading(cv.name, level=0)
    if cv.contact:
        document.add_paragraph(" · ".join(cv.contact))
    for section in cv.sections:
        document.add_heading(section.heading, level=1)
        for entry in section.entries:
            document.add_paragraph(entry.text + (f" ({entry.when})" if entry.when else ""), style="List Bullet")
        for citation in section.citations:
            paragraph = document.add_paragraph(style="List Number")
            for piece, bold in citation.segments():
                paragraph.add_run(piece).bold = bold or None
    document.add_paragraph(f"Prepared on {cv.prepared_on.isoformat()}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
