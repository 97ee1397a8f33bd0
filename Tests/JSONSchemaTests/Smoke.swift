import Testing

@Test func jsonschemaBuilds() {}
