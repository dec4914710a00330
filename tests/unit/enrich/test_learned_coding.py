"""The enricher with its committed classifier on failure classes the rules alone got wrong (the
sentences are ours; the classifier never saw them)."""

from __future__ import annotations

import pytest

from streams.commands.evaluation import main_event
from streams.core.models import Article
from streams.enrich import PIPELINE_VERSION, Enricher
from streams.enrich.classifier import committed_version


def _main(enricher: Enricher, text: str) -> tuple[str | None, float | None]:
    enriched = enricher.enrich(Article(id="t", title="", body=text, ingested_at=1))
    event = main_event(enriched, acled=True)
    return (event.acled_sub_event_type, event.confidence) if event else (None, None)


@pytest.fixture(scope="module")
def rules_only() -> Enricher:
    return Enricher(classify=False)


def test_tear_gas_on_a_crowd_is_a_protest_with_intervention_not_a_chemical_attack(enricher, rules_only):
    text = "Police fired tear gas at demonstrators in Conakry on Monday."
    assert _main(rules_only, text)[0] == "Chemical weapon", "the failure this fixes"
    sub_type, confidence = _main(enricher, text)
    assert sub_type == "Protest with intervention" and confidence is not None and confidence > 0.5


def test_a_troop_deployment_the_rules_skip_becomes_an_event(enricher, rules_only):
    text = "The army deployed 2,000 additional troops to the border region of Tillaberi."
    assert _main(rules_only, text)[0] is None
    assert _main(enricher, text)[0] == "Other"


def test_a_threat_stays_a_threat_and_sport_stays_no_event(enricher):
    assert _main(enricher, "The Houthis threatened to attack ships in the Red Sea.")[0] is None
    assert _main(enricher, "Manchester City beat Arsenal 2-1 at the Etihad on Sunday.")[0] is None


def test_killing_militants_in_a_clash_stays_a_clash(enricher):
    text = "Troops killed 40 militants in a clash near the border, the army said."
    assert _main(enricher, text)[0] == "Armed clash"


def test_the_pipeline_version_names_the_committed_model():
    assert PIPELINE_VERSION.endswith("+" + committed_version()) and committed_version() != "untrained"
