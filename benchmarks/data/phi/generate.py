"""Writes tune.txt and heldout.txt from the templates in tune_templates.py and heldout_templates.py.

    python benchmarks/data/phi/generate.py

Each output line is one sentence; identifiers are marked inline as ``[[kind:text]]`` and a line
without a mark is a clean sentence. The held-out templates and name pools were written apart
from the tuning ones, with other phrasings and other names, and the detector was not tuned on
them. The generated files are committed: the benchmark and the tests read them, not this script.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import heldout_templates
import tune_templates

HERE = Path(__file__).resolve().parent
SLOT = re.compile(r"\{([A-Za-z_]+)\}")


def fill(template: str, pools: dict, rng: random.Random) -> str:
    """``template`` with each {SLOT} replaced: upper-case slots are identifiers, marked with their kind."""
    def one(match):
        slot = match.group(1)
        value = pools[slot]
        value = value(rng) if callable(value) else rng.choice(value)
        if slot.isupper():
            kind = slot.lower().rstrip("0123456789").split("_")[0]
            return f"[[{tune_templates.KIND_OF.get(kind, kind)}:{value}]]"
        return value
    return SLOT.sub(one, template)


def write(module, path: Path, per_template_pos: int, per_template_neg: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    lines, seen = [], set()
    for templates, count in ((module.POSITIVE, per_template_pos), (module.NEGATIVE, per_template_neg)):
        for template in templates:
            made = 0
            for _ in range(count * 10):
                sentence = fill(template, module.POOLS, rng)
                if sentence not in seen:
                    seen.add(sentence)
                    lines.append(sentence)
                    made += 1
                if made == count:
                    break
    positives = sum("[[" in line for line in lines)
    header = f"# {path.name}: written by generate.py; one sentence a line, identifiers as [[kind:text]].\n"
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return positives, len(lines) - positives


if __name__ == "__main__":
    print("tune", write(tune_templates, HERE / "tune.txt", 4, 4, seed=7))
    print("heldout", write(heldout_templates, HERE / "heldout.txt", 4, 4, seed=11))
