"""The patient-identifier detector (``network.text.phi``) on a labelled corpus: recall, false alarms, speed.

    .venv/bin/python benchmarks/phi.py            # tune and held-out parts, about ten seconds
    .venv/bin/python benchmarks/phi.py --misses   # also print what was missed and what was flagged

The corpus is ``benchmarks/data/phi/``: one sentence a line, identifiers marked ``[[kind:text]]``
(written by ``generate.py`` from templates in the voice of pain physicians). An identifier counts as
found when a detected span overlaps it; a clean sentence (no mark) counts as a false alarm when
anything in it is flagged. The held-out part was written apart and the detector was not tuned on it.
Speed is measured in one thread over every sentence of both parts, repeated for about two seconds.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network.text.phi import find_phi

CORPUS = Path(__file__).resolve().parent / "data" / "phi"
_MARK = re.compile(r"\[\[([a-z_]+):(.+?)\]\]")


@dataclass(frozen=True)
class Sentence:
    text: str
    labels: tuple[tuple[int, int, str], ...]  # (start, end, kind) of each identifier


def load_corpus(part: str) -> list[Sentence]:
    """The sentences of ``part`` ("tune" or "heldout") with their marks turned into offsets."""
    sentences = []
    for line in (CORPUS / f"{part}.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, labels, position = [], [], 0
        for mark in _MARK.finditer(line):
            text.append(line[position:mark.start()])
            start = sum(map(len, text))
            text.append(mark.group(2))
            labels.append((start, start + len(mark.group(2)), mark.group(1)))
            position = mark.end()
        text.append(line[position:])
        sentences.append(Sentence("".join(text), tuple(labels)))
    return sentences


@dataclass
class Score:
    found: Counter
    total: Counter
    clean: int
    flagged_clean: int
    misses: list
    false_alarms: list

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.total.values()))

    def kind_recall(self, kind: str) -> float:
        return self.found[kind] / max(1, self.total[kind])

    @property
    def false_alarm_rate(self) -> float:
        return self.flagged_clean / max(1, self.clean)


def score(sentences: list[Sentence]) -> Score:
    """Recall per kind over labelled identifiers, and the share of clean sentences flagged."""
    result = Score(Counter(), Counter(), 0, 0, [], [])
    for sentence in sentences:
        spans = find_phi(sentence.text)
        if not sentence.labels:
            result.clean += 1
            if spans:
                result.flagged_clean += 1
                result.false_alarms.append((sentence.text, [sentence.text[s.start:s.end] for s in spans]))
            continue
        for start, end, kind in sentence.labels:
            result.total[kind] += 1
            if any(s.start < end and start < s.end for s in spans):
                result.found[kind] += 1
            else:
                result.misses.append((sentence.text, kind, sentence.text[start:end]))
    return result


def sentences_per_second(sentences: list[Sentence], seconds: float = 2.0) -> float:
    texts = [s.text for s in sentences]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            find_phi(text)
        count += len(texts)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="print missed identifiers and false alarms")
    args = parser.parse_args()
    parts = {part: load_corpus(part) for part in ("tune", "heldout")}
    scores = {part: score(sentences) for part, sentences in parts.items()}
    kinds = sorted(set().union(*(s.total for s in scores.values())))
    print(f"{'identifier kind':<18}" + "".join(f"{part + ' recall':>16}{'n':>6}" for part in parts))
    for kind in kinds:
        print(f"{kind:<18}" + "".join((f"{s.kind_recall(kind):>16.3f}" if s.total[kind] else f"{'-':>16}")
                                      + f"{s.total[kind]:>6}" for s in scores.values()))
    print(f"{'overall recall':<18}" + "".join(f"{s.recall:>16.3f}{sum(s.total.values()):>6}"
                                             for s in scores.values()))
    print(f"{'clean flagged':<18}" + "".join(f"{s.false_alarm_rate:>16.1%}{s.clean:>6}" for s in scores.values()))
    every = [sentence for sentences in parts.values() for sentence in sentences]
    find_phi(every[0].text)  # warm up
    print(f"sentences per second (one thread, {len(every)} sentences): {sentences_per_second(every):,.0f}")
    if args.misses:
        for part, s in scores.items():
            for text, kind, value in s.misses:
                print(f"MISS {part} {kind}: {value!r} in {text!r}")
            for text, flagged in s.false_alarms:
                print(f"FALSE {part}: {flagged} in {text!r}")


if __name__ == "__main__":
    main()
