"""A new password is estimated by zxcvbn, fed Vietnamese names and words, and refused with a
reason in Vietnamese (failed before: only the length was checked, so ``aaaaaaaaaa`` passed)."""

from __future__ import annotations

import pytest

from bot.accounts import AccountError, AccountService
from bot.accounts.passwords import password_problem

ADVICE = "Hãy ghép ba, bốn từ"


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaa", "lặp lại"),
    ("abcabcabcabc", "lặp lại"),
    ("1234567890", "danh sách mật khẩu hay bị lộ"),
    ("987654321abc", "danh sách mật khẩu hay bị lộ"),
    ("abcdefghijk", "dãy liên tiếp"),
    ("123456789a", "danh sách mật khẩu hay bị lộ"),
    ("qwertyuiop", "danh sách mật khẩu hay bị lộ"),
    ("Nguyễn Văn 1990", "tên người"),
    ("tranthihoa1985", "tên người hay từ hay dùng, với năm sinh"),
    ("Lê Thị Lan @75", "tên người hay từ hay dùng, với năm sinh"),
    ("anhyeuem123", "tên người"),
    ("matkhau2024!", "tên người"),
    ("hoa12051985", "ngày sinh"),
    ("kV9q#12051985", "ngày sinh"),
    ("0912345678", "số điện thoại"),
    ("0912 345 678 ab", "số điện thoại"),
    ("+84912345678", "số điện thoại"),
    ("hoa.nguyen.2025", "tên người"),
])
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    problem = password_problem(password, login="hoa.nguyen")
    assert problem is not None and reason in problem and ADVICE in problem


@pytest.mark.parametrize("password", ["trâu cày ruộng sáng mưa", "mật khẩu thử nghiệm 1",
                                      "Bếp củi, ấm nước, mèo vàng", "kV9#tq2!Lm8z"])
def test_strong_passwords_pass(password: str) -> None:
    assert password_problem(password, login="hoa.nguyen") is None


def test_length_is_still_checked() -> None:
    assert password_problem("ngắn") == "Mật khẩu cần ít nhất 10 ký tự."
    assert "tối đa 200" in (password_problem("x" * 201) or "")


async def test_accounts_and_links_refuse_a_weak_password(accounts: AccountService) -> None:
    with pytest.raises(AccountError, match="lặp lại"):
        await accounts.create_user("admin", "admin", password="aaaaaaaaaa")
    await accounts.create_user("editor1", "editor")
    token = await accounts.create_signin_link("editor1")
    with pytest.raises(AccountError, match="lặp lại"):
        await accounts.redeem_link(token, "editor1editor1")
