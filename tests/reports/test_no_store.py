"""No console answer may be kept by the browser: pages, JSON, CSV, images and errors all say
``Cache-Control: no-store`` (failed before: none did, so Back after sign-out on a shared
commune computer showed the reports again)."""

from __future__ import annotations

from tests.reports.conftest import Seeded

URLS = [
    "/admin", "/admin/", "/admin/reports?unit=yen_binh", "/admin/reports/summary.csv?unit=yen_binh",
    "/admin/reports/unanswered.csv?unit=yen_binh", "/admin/reports/funnels/demo_install.png"
    "?unit=yen_binh", "/admin/api/reports/units/yen_binh", "/admin/audit", "/admin/accounts",
    "/admin/units.csv", "/admin/communes", "/admin/communes/yen_binh", "/admin/inbox",
    "/admin/flows", "/admin/api/flows", "/admin/api/unanswered", "/admin/nlu",
    "/admin/share?unit=yen_binh", "/admin/handouts?unit=yen_binh", "/admin/proposals",
    "/admin/no-such-page", "/admin/api/no-such-thing",
]


async def test_every_console_answer_says_no_store(seeded: Seeded) -> None:
    async with seeded.client("admin") as client:
        for url in URLS:
            response = await client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            assert response.headers.get("cache-control") == "no-store", url
        style = await client.get("/admin/static/console.css")
        assert style.status_code == 200 and "no-store" not in style.headers.get(
            "cache-control", "")  # a stylesheet holds no data
    async with seeded.http() as anonymous:
        for url in ("/admin/login", "/admin/reports", "/admin/api/reports/units/yen_binh"):
            response = await anonymous.get(url)
            assert response.headers.get("cache-control") == "no-store", url
