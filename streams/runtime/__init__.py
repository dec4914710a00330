"""The Faust and Kafka edge: the worker's apps and their wiring, Faust's offset corrections,
liveness, the NLP process, topic administration, metrics, log redaction. The only package that
imports faust or aiokafka."""
