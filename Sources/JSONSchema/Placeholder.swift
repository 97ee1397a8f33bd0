// Placeholder: the JSONSchema target is being built (see the issue tracker).
