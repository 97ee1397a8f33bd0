import Testing

@Test func avroBuilds() {}
