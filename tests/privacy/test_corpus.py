"""Masking against a corpus of real spellings of secrets (tests/privacy/corpus.tsv), ordinary
messages it must leave alone (keep.txt), and secrets in random surroundings (hypothesis)."""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import MASKS, MaskingFilter, Sensitive, mask, sensitive_kinds

HERE = Path(__file__).parent


def _rows() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in (HERE / "corpus.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, text, secrets = line.split("\t")
            rows.append((kind, text.replace("\\n", "\n"), secrets.split(" | ")))
    return rows


CORPUS = _rows()
KEEP = [line for line in (HERE / "keep.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")]


def survives(secret: str, masked: str) -> bool:
    """Any part of the secret left readable: the whole, or a piece of four characters or more
    (compared in NFKC, so a full-width copy counts)."""
    plain = unicodedata.normalize("NFKC", masked).lower()
    pieces = [secret, *(p for p in secret.split() if len(p) >= 4)]
    return any(unicodedata.normalize("NFKC", p).lower() in plain for p in pieces)


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) >= 150
    assert {kind for kind, _, _ in CORPUS} >= {k.value for k in Sensitive}


@pytest.mark.parametrize(("kind", "text", "secrets"), CORPUS,
                         ids=[f"{i}-{row[0]}" for i, row in enumerate(CORPUS)])
def test_no_secret_of_the_corpus_survives(kind: str, text: str, secrets: list[str]) -> None:
    masked = mask(text)
    assert not [s for s in secrets if survives(s, masked)], masked
    if kind != "mixed":
        assert MASKS[Sensitive(kind)] in masked, masked
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "turn failed: %s", (text,), None)
    MaskingFilter().filter(record)
    assert not [s for s in secrets if survives(s, record.getMessage())], record.getMessage()


WARNED = {Sensitive.otp, Sensitive.id_number, Sensitive.card, Sensitive.password}


@pytest.mark.parametrize(("kind", "text", "secrets"),
                         [row for row in CORPUS if row[0] in {k.value for k in WARNED}],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_secret_of_the_corpus_gets_the_warning(kind: str, text: str,
                                                     secrets: list[str]) -> None:
    """The 🔒 warning (the engine's ``_WARN_ON``) follows what masking finds: an OTP, an ID
    number, a card number or a password in the corpus always triggers it."""
    assert sensitive_kinds(text) & WARNED, text


@pytest.mark.parametrize("text", KEEP)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert mask(text) == text
    assert not sensitive_kinds(text) - {Sensitive.otp}


SECRETS = st.one_of(
    st.from_regex(r"0[35789][0-9]{8}", fullmatch=True),
    st.from_regex(r"0[0-9]{2}[0-9]{9}", fullmatch=True),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.from_regex(r"9704[0-9]{12}", fullmatch=True),
)
SEPARATORS = st.sampled_from(["", " ", "  ", ".", "-", " - ", ",", "/"])
PREFIXES = st.sampled_from(["", "otp", "OTP", "cccd", "sdt", "SĐT", "stk", "mã ", "số thẻ ",
                            "mk ", "số ", "ma: ", "(", "\n", "#"])
WORDS = st.text(alphabet=st.sampled_from(list("abcdeghiklmnopqrstuvxyàáâãèéêìíòóôõùúăđơư "
                                               "ạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổỗộớờởợụủứừửữựỳỵỷỹ,.!?")),
                max_size=40)


def spelled(digits: str, sep: str, data: st.DataObject) -> str:
    width = data.draw(st.sampled_from([1, 2, 3, 4]))
    groups = [digits[i:i + width] for i in range(0, len(digits), width)]
    text = sep.join(groups)
    style = data.draw(st.sampled_from(["ascii", "fullwidth", "math"]))
    if style == "fullwidth":
        text = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)
    elif style == "math":
        text = "".join(chr(0x1D7CE + int(c)) if c.isdigit() else c for c in text)
    return text


@settings(max_examples=400, deadline=None)
@given(before=WORDS, after=WORDS, prefix=PREFIXES, digits=SECRETS, sep=SEPARATORS,
       data=st.data())
def test_secrets_in_random_surroundings_never_survive(before: str, after: str, prefix: str,
                                                      digits: str, sep: str,
                                                      data: st.DataObject) -> None:
    written = spelled(digits, sep, data)
    text = f"{before} {prefix}{written} {after}"
    masked = mask(text)
    plain = "".join(c for c in unicodedata.normalize("NFKC", masked) if c.isdigit())
    assert digits not in plain, (text, masked)
    assert digits[:6] not in plain, (text, masked)


@settings(max_examples=200, deadline=None)
@given(before=WORDS, after=WORDS, password=st.from_regex(r"[A-Za-z]{3,8}[@#!$*][0-9]{2,5}",
                                                          fullmatch=True),
       key=st.sampled_from(["mật khẩu là ", "mat khau: ", "mk ", "password is ", "pass: ",
                            "mật khẩu của tôi là ", "MK=", "mã pin là "]))
def test_passwords_in_random_surroundings_never_survive(before: str, after: str, password: str,
                                                        key: str) -> None:
    masked = mask(f"{before} {key}{password} {after}")
    assert password not in masked
