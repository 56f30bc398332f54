"""Write heldout_noisy.tsv: the held-out set as residents in a hurry type it.

Every sentence is folded to ASCII and common words are contracted to teen-code
("không" -> "ko", "được" -> "dc", "mật khẩu" -> "mk"). The contractions are the usual ones
(domain facts, section 3), so this set measures robustness to *known* shorthand; it is
synthetic and says nothing about shorthand the normaliser has never heard of.

Run: python nlu/tests/make_noisy.py   (any Python 3.10+, no dependencies)
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from nlu.components.vi_text import fold  # noqa: E402

CONTRACTIONS = [
    ("số điện thoại", "sdt"), ("điện thoại", "dt"), ("mật khẩu", "mk"), ("tài khoản", "tk"),
    ("không", "ko"), ("được", "dc"), ("gì", "j"), ("rồi", "r"), ("với", "vs"), ("vậy", "z"),
    ("biết", "bik"), ("như thế nào", "ntn"), ("muốn", "mún"), ("em", "e"),
]

HERE = Path(__file__).resolve().parent


def noisy(text: str) -> str:
    text = text.lower()
    for word, short in CONTRACTIONS:
        text = re.sub(rf"(?<!\w){word}(?!\w)", short, text)
    return fold(text)


def main() -> None:
    with (HERE / "heldout.tsv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source, delimiter="\t"))
    with (HERE / "heldout_noisy.tsv").open("w", encoding="utf-8", newline="") as target:
        target.write("intent\ttext\n")
        for row in rows:
            target.write(f"{row['intent']}\t{noisy(row['text'])}\n")


if __name__ == "__main__":
    main()
