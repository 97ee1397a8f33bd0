// Placeholder: the KafkaClient target is being built (see the issue tracker).
