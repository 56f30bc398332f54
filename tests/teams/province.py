"""A made-up province of the size the registry must handle: 300 communes and wards, ten
villages or residential groups each (names repeat, as real ones do)."""

from __future__ import annotations

import csv
import io
import random

SYLLABLES = ["An", "Bình", "Cát", "Đông", "Hà", "Hòa", "Hưng", "Lạc", "Long", "Minh", "Nam",
             "Phú", "Quang", "Sơn", "Tân", "Thái", "Thành", "Thịnh", "Trung", "Vĩnh", "Xuân",
             "Yên"]


def province_csv(communes: int = 300, villages_each: int = 10, seed: int = 7) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["unit_id", "parent_id", "level", "name", "team_name", "team_phone", "hours"])
    writer.writerow(["tinh_mau", "", "province", "Tỉnh Mẫu", "Tổ công nghệ số tỉnh Mẫu",
                     "0200 000 000", ""])
    for number in range(1, communes + 1):
        name = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
        kind = "Phường" if number % 5 == 0 else "Xã"
        commune = f"c{number:04d}"
        writer.writerow([commune, "tinh_mau", "commune", f"{kind} {name}",
                         f"Tổ công nghệ số {kind.lower()} {name}", f"09{number:08d}",
                         "07:00-21:00" if number % 2 else ""])
        for village in range(1, villages_each + 1):
            label = "Tổ dân phố" if kind == "Phường" else "Thôn"
            writer.writerow([f"{commune}_{village:02d}", commune, "village",
                             f"{label} {village}", "", "", ""])
    return out.getvalue()
