"""Serving processes: one server process (:mod:`bot.workers.worker`) and the supervisor that
runs several of them on one port (:mod:`bot.workers.supervisor`)."""
