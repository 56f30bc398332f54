"""The local web chat and the HTTP API (Starlette)."""
