"""The contracts every part shares: models, article identity, language, errors, Kafka security
settings. Imports nothing else of streams (checked by the import contract in pyproject.toml)."""
