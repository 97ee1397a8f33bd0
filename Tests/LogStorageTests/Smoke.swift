import Testing

@Test func logstorageBuilds() {}
