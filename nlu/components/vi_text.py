"""Vietnamese chat-text normalisation without any Rasa import.

Residents type without diacritics, in teen-code ("ko dc", "quen mk") and with regional words
("răng", "hổng"). A bag-of-words model only generalises across these spellings if they share
features, so every word is mapped to one or more *views*: the lowercased NFC word with
teen-code expanded, then (as a second view of the sentence) the same words folded to ASCII.
Kept free of Rasa so the same rules can be unit-tested from the bot's environment.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, Tuple

# token -> (replacement words, keep the original token as well).
# Keep the original where the short form is ambiguous ("mk" is "mật khẩu" here but "mình" in
# teen-code; "chi" is Central for "gì" but also a real word).
_RULES: Dict[str, Tuple[str, bool]] = {}


def _add(words: str, keep: bool, *forms: str) -> None:
    for form in forms:
        _RULES[form] = (words, keep)


_add("không", False, "ko", "k", "kg", "kh", "khg", "hk", "hok", "hông", "hổng", "khum", "hem", "k0",
     "khôg")
_add("được", False, "dc", "đc", "đx", "dx", "đươc", "dươc")
_add("gì", False, "j", "ji", "jì", "zì")
_add("gì", True, "chi")
_add("như thế nào", False, "ntn", "ntnao")
_add("mật khẩu", True, "mk", "pass", "pw", "pas")
_add("mật khẩu", False, "mậtkhẩu", "matkhau")
_add("tài khoản", False, "tk", "tkhoan", "acc", "taikhoan")
_add("số điện thoại", False, "sdt", "sđt", "sđth", "sdth")
_add("điện thoại", False, "đt", "dt", "đth", "dth", "dthoai", "đthoại", "đthoai")
_add("với", False, "vs", "vớj", "zới")
_add("vậy", False, "z", "zậy", "dzậy", "dzay", "zay", "zị", "dzị")
_add("vậy", True, "rứa", "v")
_add("rồi", False, "r", "rùi", "rầu", "roài", "ròi", "rui")
_add("biết", False, "bik", "bít", "bjk", "bíc", "bit")
_add("muốn", False, "mún", "mun")
_add("nhiều", False, "nhìu", "nhiu")
_add("đâu", True, "mô")
_add("sao", True, "răng", "s")
_add("mẹ", True, "má")
_add("em", False, "e")
_add("mình", False, "mik", "mjk", "mh", "mềnh")
_add("cảm ơn", False, "tks", "thanks", "thank", "thx", "camon", "cámơn", "cảmơn")
_add("cảm", False, "cám")
_add("tạm biệt", True, "bye", "bai", "bb", "pp")
_add("ạ", False, "ak", "ạk", "ah")
_add("nói", True, "ns")
_add("cũng", False, "cx", "cg")
_add("chồng", False, "ck")
_add("vợ", False, "vk")
_add("người", False, "ng", "ngừi")
_add("trước", False, "trc")
_add("mới", False, "ms")
_add("làm", False, "lm")
_add("tin nhắn", False, "tn")
_add("nhắn tin", False, "nt", "ib", "inbox")
_add("bây giờ", False, "bh", "bgio", "bjo", "bjờ")
_add("đăng ký", True, "dk", "đk")
_add("đăng ký", False, "dky", "đky", "dki", "đkí", "đki")
_add("ký", False, "kí")
_add("giúp", False, "júp", "jup", "zúp")
_add("hướng dẫn", False, "hdan", "hdẫn")
_add("căn cước công dân", True, "cccd")
_add("chứng minh nhân dân", True, "cmnd", "cmt")
_add("bảo hiểm xã hội", True, "bhxh")
_add("bảo hiểm y tế", True, "bhyt")
_add("giấy phép lái xe", True, "gplx")
_add("ứng dụng", True, "app", "ứg", "ưd", "ud")
_add("cài đặt", True, "setup")
_add("nhận", False, "nhậng")
_add("tiền", False, "tìn")

_REPEATS = re.compile(r"(\w)\1{2,}")


def fold(text: str) -> str:
    """Remove Vietnamese diacritics: "Mật khẩu Đăng" -> "Mat khau Dang"."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def normalize_word(word: str, expand: bool = True) -> List[str]:
    """One word -> the words it stands for (lowercase NFC, repeats squeezed, teen-code expanded)."""
    lowered = _REPEATS.sub(r"\1", unicodedata.normalize("NFC", word).lower())
    if not expand or lowered not in _RULES:
        return [lowered]
    replacement, keep = _RULES[lowered]
    words = replacement.split()
    return [lowered, *words] if keep else words


def views(words: List[str], expand: bool = True, add_folded: bool = True) -> List[Tuple[int, str]]:
    """Feature words for a tokenised sentence, each paired with the index of its source word.

    The normalised words come first; if folding changes any of them, the whole sentence follows
    again folded to ASCII, so "quên mật khẩu" and "quen mat khau" share the folded features
    while the diacritics stay available to tell "má" (mother) from "mã" (code).
    """
    normalized = [(i, w) for i, word in enumerate(words) for w in normalize_word(word, expand)]
    if not add_folded:
        return normalized
    folded = [(i, fold(w)) for i, w in normalized]
    if all(f == w for (_, f), (_, w) in zip(folded, normalized)):
        return normalized
    return normalized + folded


def normalize_text(text: str) -> str:
    """The normalised (not folded) words of a sentence joined by spaces, for inspection and tests."""
    return " ".join(w for _, w in views(re.findall(r"\w+", text), add_folded=False))
