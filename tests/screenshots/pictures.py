"""The pictures the tests send: phone screenshots drawn like the benchmark's, and broken
files."""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.phone_images import Look, Style, screenshot
from bot.screenshots.ocr import tesseract_ready
from bot.storage import tables

needs_tesseract = pytest.mark.skipif(not tesseract_ready(),
                                     reason="tesseract-ocr-vie is not installed (make ocr)")

ID_NUMBER = "001088012345"
LONG_DIGITS = re.compile(r"\d{9,}")


def scam_sms() -> bytes:
    return screenshot("BHXH", ["BHXH VN: Quy khach vui long cap nhat sinh trac hoc tai "
                               "vneid-gov.com de tranh bi khoa tai khoan."], Style.sms,
                      Look(1080, False, 0.95, 0.7, 65))


def activation_screen() -> bytes:
    return screenshot("VNeID", ["Đăng nhập", "Số định danh cá nhân"], Style.app,
                      Look(900, True, 1.0, 0.6, 70),
                      button="Kích hoạt tài khoản định danh điện tử")


def id_number_screen() -> bytes:
    return screenshot("VNeID", ["Thông tin cá nhân", f"Số định danh cá nhân: {ID_NUMBER}",
                                "Họ và tên: NGUYEN VAN AN"], Style.app, Look(1080, False))


def blank_screen() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (720, 1400), (255, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def six_megabytes() -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(6 * 1024 * 1024)


def not_an_image() -> bytes:
    return "Đây là một tệp chữ, không phải ảnh.\n".encode() * 20


def corrupt_jpeg() -> bytes:
    whole = activation_screen()
    return whole[: len(whole) // 2]


async def everything_stored(engine: AsyncEngine) -> str:
    """Every row of every table, as text."""
    async with engine.connect() as conn:
        rows = [str(row) for table in tables.metadata.sorted_tables
                for row in (await conn.execute(select(table))).all()]
    return "\n".join(rows)
