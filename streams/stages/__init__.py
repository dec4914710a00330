"""What each agent does to a batch, as plain code over raw messages: decoding and dead letters,
enrich, alert, store, notify, and how sinks wait out failures. No Faust, no Kafka client."""
