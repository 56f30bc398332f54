"""Persistence: SQLAlchemy 2 async, SQLite by default, PostgreSQL through ``DATABASE_URL``.

The only package that imports SQLAlchemy.
"""
