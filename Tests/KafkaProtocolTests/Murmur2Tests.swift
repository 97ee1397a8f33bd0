// Murmur2 must match Kafka's Java `Utils.murmur2` bit for bit, or keyed records land on other
// partitions than Java producers put them. Vectors: Kafka's UtilsTest and kafka-python's
// partitioner test (1000 partitions), both computed by the Java implementation.
import KafkaProtocol
import Testing

@Test(arguments: [
    ("21", Int32(-973_932_308)),
    ("foobar", -790_332_482),
    ("a-little-bit-long-string", -985_981_536),
    ("a-little-bit-longer-string", -1_486_304_829),
    ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
    ("abc", 479_470_107),
    ("1", -1_993_445_489),
    ("12", 126_087_238),
    ("123", -267_702_483),
    ("1234", -1_614_185_708),
    ("12345", -1_188_365_604),
])
func murmur2MatchesJava(key: String, expected: Int32) {
    #expect(Murmur2.hash(Array(key.utf8)) == expected)
}

@Test(arguments: [
    ([UInt8](), 681),
    (Array("a".utf8), 524),
    (Array("ab".utf8), 434),
    (Array("abc".utf8), 107),
    (Array("123456789".utf8), 566),
    ([0x00, 0x20], 742),
])
func partitionMatchesJavaDefaultPartitioner(key: [UInt8], expected: Int) {
    #expect(kafkaPartition(forKey: key, partitionCount: 1000) == expected)
}

@Test func toPositiveClearsTheSignBitOnly() {
    #expect(Murmur2.toPositive(-1) == Int32.max)
    #expect(Murmur2.toPositive(Int32.min) == 0)
    #expect(Murmur2.toPositive(42) == 42)
}

@Test func partitionRejectsNoPartitions() {
    #expect(kafkaPartition(forKey: Array("k".utf8), partitionCount: 0) == nil)
}

@Test func hashAcceptsNonContiguousCollections() {
    let bytes = Array("a-little-bit-long-string".utf8)
    #expect(Murmur2.hash(bytes.lazy.map { $0 }) == Murmur2.hash(bytes))
}
