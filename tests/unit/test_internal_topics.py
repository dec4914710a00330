"""The worker pre-creates Faust's own topics; their names must be the ones Faust will subscribe to."""

from streams.app import create_app
from streams.config import load_settings
from streams.kafka_admin import internal_topics


def test_precreated_topics_are_the_ones_the_app_subscribes_to():
    """Every internal topic of the app (re-key topic, table changelog, leader topic) is pre-created."""
    config = load_settings(app_id="naming-check", topic_partitions=3)
    app = create_app(config)
    subscribed = {app.tables["story-state"].changelog_topic.get_topic_name()}
    subscribed |= {agent.channel.get_topic_name() for agent in app.agents.values() if agent.channel.internal}
    subscribed.add(app._leader_assignor._leader_topic_name)
    specs = internal_topics(config)
    assert set(specs) == subscribed
    assert specs["naming-check-story-state-changelog"].configs == {"cleanup.policy": "compact"}
