// Placeholder: the Broker target is being built (see the issue tracker).
