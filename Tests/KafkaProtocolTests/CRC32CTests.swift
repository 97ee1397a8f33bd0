import KafkaProtocol
import Testing

@Test func crc32cCheckValue() {
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
}

@Test func crc32cContinues() {
    let whole = CRC32C.checksum(Array("hello, world".utf8))
    let first = Array("hello, ".utf8).withUnsafeBytes { CRC32C.checksum($0) }
    let both = Array("world".utf8).withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
    #expect(whole == both)
}
