"""Checks a page must pass: valid HTML5 and the basics of accessibility."""

from __future__ import annotations

import html5lib
from html5lib.html5parser import ParseError

NS = "{http://www.w3.org/1999/xhtml}"


def check_page(body: bytes | str) -> list[str]:
    """Problems with a page, in words; an empty list when it passes."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    try:
        tree = parser.parse(body)
    except ParseError as exc:
        return [f"invalid HTML: {exc}"]
    problems = []
    if tree.get("lang") != "en":
        problems.append("<html> has no lang")
    title = tree.find(f".//{NS}title")
    if title is None or not (title.text or "").strip():
        problems.append("no <title>")
    if len(tree.findall(f".//{NS}main")) != 1:
        problems.append("not exactly one <main>")
    if len(tree.findall(f".//{NS}h1")) != 1:
        problems.append("not exactly one <h1>")
    ids = [el.get("id") for el in tree.iter() if el.get("id")]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids: {sorted(duplicates)}")
    labelled = {label.get("for") for label in tree.iter(f"{NS}label")}
    for field in tree.iter():
        if field.tag not in (f"{NS}input", f"{NS}select", f"{NS}textarea"):
            continue
        if field.get("type") in ("hidden", "submit", "button"):
            continue
        if field.get("id") not in labelled and not field.get("aria-label") and not field.get("aria-labelledby"):
            problems.append(f"field without a label: {field.get('name')}")
    for image in tree.iter(f"{NS}img"):
        if image.get("alt") is None:
            problems.append(f"image without alt: {image.get('src')}")
    for style in ("style", "script"):
        for element in tree.iter(f"{NS}{style}"):
            if element.text and element.text.strip():
                problems.append(f"inline <{style}> (blocked by the Content-Security-Policy)")
    if tree.findall(".//*[@style]"):
        problems.append("inline style attribute (blocked by the Content-Security-Policy)")
    return problems
