"""The drills run on the same real services as the integration tests: their fixtures, shared."""

from tests.integration.conftest import (  # noqa: F401 - fixtures are found by name
    alertmanager,
    kafka,
    pg_url,
    pipeline_env,
    postgres_admin,
    worker,
)
