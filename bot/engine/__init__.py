"""The guide engine: pure (state + input -> state + replies + events), no I/O.

It never imports a channel, a web framework, httpx or SQLAlchemy; the conversation service
feeds it and stores what it returns.
"""
