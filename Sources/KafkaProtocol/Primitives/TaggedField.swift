// A tagged field the codec does not know, kept verbatim so a decoded message re-encodes to the
// same bytes and newer peers' extensions survive a pass through us.
import NIOCore

public struct TaggedField: Hashable, Sendable {
    public var tag: UInt32
    /// The field's payload, without its tag and size prefix.
    public var data: ByteBuffer

    public init(tag: UInt32, data: ByteBuffer) {
        self.tag = tag
        self.data = data
    }
}
