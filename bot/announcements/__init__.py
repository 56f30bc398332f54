"""Announcements of a unit's team to the residents who agreed to hear from it (issue 24);
their delivery is :mod:`bot.outreach`'s."""
