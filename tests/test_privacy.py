"""The privacy guard masks secrets and leaves ordinary text alone."""

from __future__ import annotations

import logging

import pytest

from bot.privacy import MaskingFilter, Sensitive, mask, sensitive_kinds


@pytest.mark.parametrize(("text", "masked", "kinds"), [
    ("mã otp của cháu là 482913", "mã otp của cháu là [mã số]", {Sensitive.otp}),
    ("482913", "[mã số]", {Sensitive.otp}),
    ("cccd 001203004567 nha", "cccd [số định danh] nha", {Sensitive.id_number}),
    ("sdt 0912 345 678", "sdt [số điện thoại]", {Sensitive.phone}),
    ("gọi +84912345678", "gọi [số điện thoại]", {Sensitive.phone}),
    ("thẻ 4111-1111-1111-1111", "thẻ [số thẻ]", {Sensitive.card}),
    ("mật khẩu là Abc@1234", "mật khẩu là [mật khẩu]", {Sensitive.password}),
    ("mk: hoa123", "mk: [mật khẩu]", {Sensitive.password}),
    ("năm 2024 tôi cài", "năm [mã số] tôi cài", set()),
    ("quên mk vssid", "quên mk vssid", set()),
    ("cài vneid thế nào", "cài vneid thế nào", set()),
])
def test_mask_and_detect(text: str, masked: str, kinds: set[Sensitive]) -> None:
    assert mask(text) == masked
    assert sensitive_kinds(text) == kinds


def test_log_filter_masks_secrets_but_not_addresses() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "user typed %s on 127.0.0.1:8080", ("otp 482913",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "user typed otp [mã số] on 127.0.0.1:8080"
