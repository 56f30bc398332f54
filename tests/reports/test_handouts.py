"""Handouts: the PDF opens, says what a sheet must say, and its QR codes decode to the
member's or team's own links; the A6 card and the bulk PDF of a unit; the print page."""

from __future__ import annotations

import io

import pypdf
import pytest
import zxingcpp

from bot.engine.catalog import Catalog
from bot.flowspec import load_flows
from bot.reports import pdf as pdf_module
from bot.reports.handout import handout
from bot.reports.links import GuideLink, Links, member_code
from tests.conftest import FLOWS
from tests.reports.conftest import PUBLIC_URL, Seeded

BASE = PUBLIC_URL


def qr_codes(pdf: bytes) -> list[list[str]]:
    """The text of every QR code, page by page (images found and decoded as a reader would)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        found = []
        for image in page.images:
            found += [code.text for code in zxingcpp.read_barcodes(image.image)
                      if code.format == zxingcpp.BarcodeFormat.QRCode]
        pages.append(found)
    return pages


def page_text(pdf: bytes, number: int = 0) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[number].extract_text().split())


async def fetch(s: Seeded, url: str, login: str = "yenbinh") -> bytes:
    async with s.client(login) as client:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


async def test_no_handout_without_a_public_address(seeded: Seeded) -> None:
    """PUBLIC_URL unset or naming this machine: 409 naming the setting, never a PDF or a
    print page whose QR code opens http://127.0.0.1."""
    links = seeded.runtime.reports.links
    for configured in (None, "http://127.0.0.1:8080", "http://192.168.1.5"):
        seeded.runtime.reports.links = Links(configured, links.codes)
        async with seeded.client("yenbinh") as client:
            for url in ("/admin/api/handouts/demo_install.pdf?unit=yen_binh",
                        "/admin/api/handouts.pdf?unit=yen_binh"):
                refused = await client.get(url)
                assert refused.status_code == 409, refused.text
                assert "PUBLIC_URL" in refused.json()["error"]
            for url in ("/admin/handouts/demo_install?unit=yen_binh", "/admin/share?unit=yen_binh",
                        "/admin/handouts.pdf?unit=yen_binh"):
                page = await client.get(url)
                assert page.status_code == 409 and "PUBLIC_URL" in page.text
                assert "?start=" not in page.text  # no link at all, only the reason


async def test_the_a4_handout_of_a_team(seeded: Seeded) -> None:
    pdf = await fetch(seeded, "/admin/api/handouts/demo_install.pdf?unit=yen_binh")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert qr_codes(pdf) == [[f"{BASE}/?start=demo_install-yen_binh"]]
    text = page_text(pdf)
    assert "Cài ứng dụng mẫu" in text  # the title
    assert "1. Bác chuẩn bị điện thoại và thẻ căn cước." in text
    assert "2. Bác mở CH Play" in text  # a question that only picks a branch is left out
    assert "3. Bác mở ứng dụng." in text and "4." not in text  # the main path, not the end
    assert "Tổ công nghệ số xã Yên Bình · 0912 000 111" in text
    assert "Không bao giờ đọc mã OTP" in text


async def test_a_members_handout_with_telegram_and_the_a6_card(seeded: Seeded) -> None:
    seeded.runtime.reports.links.bot_username = "digiguide_test_bot"
    minh = member_code(seeded.minh.id)
    pdf = await fetch(seeded, f"/admin/api/handouts/demo_install.pdf?unit=thon_dong"
                              f"&member={seeded.minh.id}")
    argument = f"demo_install-thon_dong-{minh}"
    assert sorted(qr_codes(pdf)[0]) == sorted([f"{BASE}/?start={argument}",
                                               f"https://t.me/digiguide_test_bot?start={argument}"])
    card = await fetch(seeded, "/admin/api/handouts/demo_install.pdf?unit=yen_binh&size=a6")
    box = pypdf.PdfReader(io.BytesIO(card)).pages[0].mediabox
    assert (round(float(box[2]) / 72 * 25.4), round(float(box[3]) / 72 * 25.4)) == (105, 148)
    assert len(qr_codes(card)[0]) == 2


async def test_every_guide_of_a_unit_in_one_pdf(seeded: Seeded) -> None:
    pdf = await fetch(seeded, "/admin/api/handouts.pdf?unit=yen_thanh", login="yenthanh")
    pages = qr_codes(pdf)
    flows = sorted(seeded.runtime.catalog.flows)
    assert len(pages) == len(flows)
    assert sorted(p[0] for p in pages) == sorted(
        f"{BASE}/?start={f}-yen_thanh" for f in flows)
    async with seeded.client("yenthanh") as client:  # another team's unit
        refused = await client.get("/admin/api/handouts.pdf?unit=yen_binh")
    assert refused.status_code == 403


async def test_the_print_page_and_the_sharing_page(seeded: Seeded) -> None:
    async with seeded.client("yenbinh") as client:
        sheet = await client.get("/admin/handouts/demo_install?unit=yen_binh&size=a4")
        share = await client.get(f"/admin/share?unit=yen_binh&member={seeded.minh.id}")
    assert sheet.status_code == 200
    assert "@page { size: A4" in sheet.text and "@media print" in sheet.text
    assert "data:image/png;base64," in sheet.text and "Không bao giờ đọc mã OTP" in sheet.text
    assert share.status_code == 200
    assert f"demo_install-yen_binh-{member_code(seeded.minh.id)}" in share.text


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_every_guide_fits_its_page(size: str) -> None:
    """The longest titles and lines, with both QR codes and long links, end above the bottom
    margin, in type at least 90 % of the regular size."""
    loaded, _ = load_flows([FLOWS])
    catalog = Catalog(item.flow for item in loaded)
    trial = pdf_module._document()
    margin = pdf_module.SIZES[size][1]
    for flow_id, compiled in catalog.flows.items():
        argument = f"{flow_id}-{'x' * 30}-m{'z' * 6}"
        link = GuideLink(flow_id, compiled.flow.title, f"{BASE}/?start={argument}",
                         f"https://t.me/digiguide_test_bot?start={argument}", "VN99")
        item = handout(compiled, link, "Tổ công nghệ số phường Nguyễn Thái Học", "0912 000 111")
        assert 1 <= len(item.lines) <= 6
        scale = pdf_module.fitting(trial, item, size)
        assert scale >= 0.9, flow_id
        assert pdf_module._page(trial, item, size, scale) <= trial.h - margin, flow_id
