"""The normalisation rules the custom Rasa tokenizer applies (pure Python, no Rasa needed)."""

from __future__ import annotations

from nlu.components.vi_text import fold, normalize_text, normalize_word, views


def test_fold_removes_all_vietnamese_diacritics() -> None:
    assert fold("Đăng nhập định danh, quên mật khẩu ở đâu?") == (
        "Dang nhap dinh danh, quen mat khau o dau?"
    )


def test_teen_code_and_regional_words_expand() -> None:
    assert normalize_text("quen mk vssid ko dc") == "quen mk mật khẩu vssid không được"
    assert normalize_text("cài răng rứa") == "cài răng sao rứa vậy"
    assert normalize_text("má hổng biết sdt") == "má mẹ không biết số điện thoại"
    assert normalize_text("ntn z ad") == "như thế nào vậy ad"


def test_nfd_input_and_repeated_letters_are_normalised() -> None:
    decomposed = "me\u0323\u0302"  # "mệ" typed as base letter + combining marks
    assert normalize_word(decomposed) == ["mệ"]
    assert normalize_word("ơiiii") == ["ơi"]
    assert normalize_word("Alooo") == ["alo"]


def test_folded_view_is_added_only_when_it_differs() -> None:
    assert [w for _, w in views(["quen", "mat", "khau"])] == ["quen", "mat", "khau"]
    assert [w for _, w in views(["quên", "mật", "khẩu"])] == [
        "quên",
        "mật",
        "khẩu",
        "quen",
        "mat",
        "khau",
    ]


def test_views_keep_the_index_of_their_source_word() -> None:
    assert views(["ko", "dc"], add_folded=False) == [(0, "không"), (1, "được")]
    assert views(["ko", "dc"], expand=False, add_folded=False) == [(0, "ko"), (1, "dc")]
