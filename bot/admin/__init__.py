"""The admin console at ``/admin``: another channel. Handlers parse the request, call a service
(:mod:`bot.accounts`, :mod:`bot.flows`), render a Jinja2 template or JSON; no SQL here."""
