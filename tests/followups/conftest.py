"""The announcements' town (fake Bot API, fake Zalo, web, console) serves the follow-ups too."""

from tests.announcements.conftest import clock, fake_api, fake_zalo

__all__ = ["clock", "fake_api", "fake_zalo"]
