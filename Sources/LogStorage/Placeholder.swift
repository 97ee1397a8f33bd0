// Placeholder: the LogStorage target is being built (see the issue tracker).
