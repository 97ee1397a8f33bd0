// Placeholder: the Avro target is being built (see the issue tracker).
