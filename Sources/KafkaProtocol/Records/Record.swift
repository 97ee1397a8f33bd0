// One Kafka record (magic 2) as producers write it and consumers read it.
//
// Keys, values and header values are ByteBuffer slices of the decoded (or decompressed)
// batch body, so decoding a batch copies no payload bytes. A nil key or value is Kafka's -1
// length (a null key, or a tombstone value).
import NIOCore

public struct RecordHeader: Sendable, Equatable {
    public var key: String
    public var value: ByteBuffer?

    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }
}

public struct Record: Sendable, Equatable {
    /// The absolute offset: the batch's base offset plus this record's offset delta.
    public var offset: Int64
    /// Milliseconds since the epoch: base timestamp plus delta, or the batch's max timestamp
    /// when the batch carries LogAppendTime.
    public var timestamp: Int64
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(
        offset: Int64 = 0, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?,
        headers: [RecordHeader] = []
    ) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// Bit 3 of the batch attributes.
public enum TimestampType: Sendable, Equatable {
    /// The producer's timestamp for each record.
    case createTime
    /// The broker's append time, the same for every record of the batch (its max timestamp).
    case logAppendTime
}

/// How the encoder assigns offset deltas.
public enum RecordOffsetDeltas: Sendable, Equatable {
    /// Record i gets delta i; the records' own `offset` fields are ignored (what producers do).
    case sequential
    /// Delta = record.offset - baseOffset, strictly increasing; keeps gaps (compacted batches).
    case fromRecordOffsets
}

extension RecordHeader: CustomStringConvertible {
    public var description: String {
        "\(key)=\(value.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? "null")"
    }
}
