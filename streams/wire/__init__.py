"""Avro on the wire: the schemas, single-object framing, the Confluent framing and its registry."""
