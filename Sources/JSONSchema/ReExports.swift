// The JSON document model (JSONValue, JSONObject, JSONParseError, parsing and writing) lives in the
// JSON target, shared with the Avro core. It is re-exported so that `import JSONSchema` keeps
// giving callers every JSON type this module's API speaks in.
@_exported import JSON
