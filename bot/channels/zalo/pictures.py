"""Pictures residents send the OA (``user_send_image``): downloaded from the URL in the event,
at most 5 MB and within a time limit, then read by the screenshot reader. The bytes live in
memory for the length of the reading only."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.screenshots import MAX_BYTES, Problem

log = logging.getLogger(__name__)

DOWNLOAD_SECONDS = 10.0


def image_url(body: dict[str, Any]) -> str | None:
    """The picture's address in a ``user_send_image`` event (the first image attached)."""
    message = body.get("message")
    attachments = message.get("attachments") if isinstance(message, dict) else None
    for attachment in attachments if isinstance(attachments, list) else []:
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def without_image_urls(body: dict[str, Any]) -> dict[str, Any]:
    """The event as kept: the picture's addresses dropped (the picture is never stored, so
    neither is the way to fetch it again)."""
    message = body.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("attachments"), list):
        return body
    kept = [{"type": a.get("type")} if isinstance(a, dict) else {}
            for a in message["attachments"]]
    return {**body, "message": {**message, "attachments": kept}}


async def download(client: httpx.AsyncClient, url: str,
                   seconds: float = DOWNLOAD_SECONDS) -> bytes | Problem:
    """The picture's bytes, or why not: too big (announced or found while reading), too slow,
    or unreachable."""
    try:
        async with client.stream("GET", url, timeout=seconds) as response:
            if response.status_code != 200:
                log.warning("picture download answered %d", response.status_code)
                return Problem.unreachable
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                return Problem.too_big
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    return Problem.too_big
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        return Problem.timeout
    except httpx.HTTPError as error:
        log.warning("picture download failed: %s", type(error).__name__)
        return Problem.unreachable
