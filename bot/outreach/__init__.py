"""Messages the assistant sends a resident outside a conversation (announcements of a team,
follow-ups a resident agreed to), within one set of rules: only to residents who agreed, only
07:00–21:00 Vietnam time, at most so many a day and a week, each platform's own limits, and
exactly one copy per resident whatever crashes or how many workers.

- :mod:`bot.outreach.consent`: the words that agree and stop (pure).
- :mod:`bot.outreach.rules`: quiet hours, per-resident limits, channel windows (pure).
- :mod:`bot.outreach.hook`: those words in every state of a conversation (a turn hook).
- :mod:`bot.outreach.delivery`: turning "send this to these residents" into outbox rows, and
  the senders that apply the rules at sending time.
"""
