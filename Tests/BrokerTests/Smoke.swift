import Testing

@Test func brokerBuilds() {}
