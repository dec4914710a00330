"""What `newsstream worker` does before Faust starts: carry an upgrade's consumer-group offsets
over, and refuse a schema registry it cannot reach."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata

from streams.config import load_settings
from streams.runtime.kafka_admin import admin_client, carry_over_shared_group_offsets, ensure_topics
from tests.integration.conftest import ROOT, _free_port, topics_of_run

pytestmark = pytest.mark.integration


def test_role_groups_start_where_the_shared_group_of_an_older_version_was(kafka):
    """The shared group had committed articles@5 and enriched@7: enrich starts at 5, alert and store
    at 7; a group that already has its own offsets keeps them."""
    run = uuid.uuid4().hex[:8]
    names = {k.removeprefix("NEWSSTREAM_").lower(): v for k, v in topics_of_run(f"upgrade-{run}").items()}
    config = load_settings(app_id=f"upgrade-{run}", topic_partitions=1, **names)
    ensure_topics(config)
    admin = admin_client(config)
    articles, enriched = TopicPartition(config.topic_articles, 0), TopicPartition(config.topic_enriched, 0)
    try:
        admin.alter_group_offsets(
            config.app_id, {articles: OffsetAndMetadata(5, "", -1), enriched: OffsetAndMetadata(7, "", -1)}
        )
        admin.alter_group_offsets(f"{config.app_id}-store", {enriched: OffsetAndMetadata(9, "", -1)})
        carried = carry_over_shared_group_offsets(config)
        assert f"{config.app_id}-store" not in carried
        groups = admin.list_group_offsets(
            [f"{config.app_id}-enrich", f"{config.app_id}-alert", f"{config.app_id}-store"]
        )
    finally:
        admin.close()
    assert {tp: m.offset for tp, m in groups[f"{config.app_id}-enrich"].items()} == {articles: 5}
    assert {tp: m.offset for tp, m in groups[f"{config.app_id}-alert"].items()} == {enriched: 7}
    assert {tp: m.offset for tp, m in groups[f"{config.app_id}-store"].items()} == {enriched: 9}
    assert carry_over_shared_group_offsets(config) == {}  # the second start carries nothing


def test_a_worker_with_an_unreachable_schema_registry_stops_at_start_naming_the_setting(pipeline_env):
    """NEWSSTREAM_SCHEMA_REGISTRY_URL pointing at nothing: exit 1 in seconds, with the fix."""
    env = {**pipeline_env, "NEWSSTREAM_SCHEMA_REGISTRY_URL": f"http://127.0.0.1:{_free_port()}"}
    done = subprocess.run(
        [sys.executable, "-m", "streams", "worker"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "NEWSSTREAM_SCHEMA_REGISTRY_URL" in done.stderr
