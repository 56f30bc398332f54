"""The console's site, every role signed in (the admin console's fixture)."""

from tests.admin.conftest import site  # noqa: F401
