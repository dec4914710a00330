"""The exception hierarchy: every error newsstream raises on purpose is a NewsstreamError."""


class NewsstreamError(Exception):
    """Root of newsstream's own errors; messages say what to do about them."""


class ConfigError(NewsstreamError):
    """Configuration that cannot work; raised at start-up, before anything is consumed."""


class InvalidArticle(NewsstreamError):
    """An article that fails validation (missing body, wrong types)."""


class SchemaError(NewsstreamError):
    """Bytes that do not decode against the expected Avro schema."""
