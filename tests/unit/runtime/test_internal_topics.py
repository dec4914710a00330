"""The worker pre-creates Faust's own topics; their names must be the ones Faust will subscribe to."""

from streams.config import load_settings
from streams.runtime.apps import create_apps
from streams.runtime.kafka_admin import internal_topics


def test_precreated_topics_are_the_ones_the_apps_subscribe_to():
    """Every internal topic of every app (re-key topic, table changelog, leader topics) is pre-created."""
    config = load_settings(app_id="naming-check", topic_partitions=3, webhook_url="http://127.0.0.1:9/hook")
    apps = create_apps(config)
    subscribed = set()
    for app in apps:
        subscribed |= {table.changelog_topic.get_topic_name() for table in app.tables.values()}
        subscribed |= {agent.channel.get_topic_name() for agent in app.agents.values() if agent.channel.internal}
        subscribed.add(app._leader_assignor._leader_topic_name)
    specs = internal_topics(config)
    assert set(specs) == subscribed
    assert specs["naming-check-alert-story-state-changelog"].configs == {"cleanup.policy": "compact"}


def test_each_role_and_notifier_reads_in_a_consumer_group_of_its_own():
    """No two agents of one app read the same topic, and no two apps share a group id: no agent's
    acknowledgement can move another's committed offset."""
    config = load_settings(
        app_id="groups", webhook_url="http://127.0.0.1:9/hook", alertmanager_url="http://127.0.0.1:9"
    )
    apps = create_apps(config)
    ids = [app.conf.id for app in apps]
    assert len(set(ids)) == len(ids)
    assert set(ids) == {
        "groups-enrich",
        "groups-alert",
        "groups-store",
        "groups-notify-console",
        "groups-notify-webhook",
        "groups-notify-alertmanager",
    }
    readers_of_enriched = 0
    for app in apps:
        topics = [agent.channel.get_topic_name() for agent in app.agents.values()]
        assert len(topics) == len(set(topics)), f"{app.conf.id} has two agents on one topic"
        readers_of_enriched += topics.count(config.topic_enriched)
    assert readers_of_enriched == 2  # the alert path and the store path, each in its own group


def test_roles_pick_the_apps_a_worker_runs():
    """NEWSSTREAM_ROLES=store runs the store app alone."""
    apps = create_apps(load_settings(app_id="only", roles="store"))
    assert [app.conf.id for app in apps] == ["only-store"]
