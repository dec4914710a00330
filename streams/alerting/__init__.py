"""Alert rules (pure matching) and notifiers (delivery)."""

from streams.alerting.rules import AlertRule, RuleSet
from streams.alerting.rules_file import load_rules

__all__ = ["AlertRule", "RuleSet", "load_rules"]
