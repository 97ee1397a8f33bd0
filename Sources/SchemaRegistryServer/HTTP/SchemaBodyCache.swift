// SchemaBodyCache: the rendered bodies of GET /schemas/ids/{id}, the request every Confluent
// deserializer makes for each writer schema it meets. An id names the same content forever
// (ids are never reused and the same id always carries the same type, text, references and
// contract fields), so its body is rendered once and served as stored bytes afterwards. Only a
// removal — a hard delete, or a version replaced — can change or end what an id answers; the
// state machine counts those (`removalGeneration`) and the cache empties when the count moves.
//
// The cache lives inside the store's applied state and is used under the same lock, so a body
// can never be served for a state in which its id no longer exists.
import NIOCore
import SchemaRegistry

struct SchemaBodyCache {
    /// Total bytes of cached bodies kept; past it the cache starts over (a registry with this many
    /// bytes of hot schemas re-renders a few; memory stays bounded).
    static let cachedBytesMax = 64 * 1024 * 1024

    private var bodies: [Int: ByteBuffer] = [:]
    private var cachedBytes = 0
    /// The machine's `removalGeneration` the cached bodies were rendered under.
    private var generation = 0

    /// The body for `id` (rendered and kept on first use); nil when no version carries the id.
    mutating func body(id: Int, machine: SchemaStateMachine) -> ByteBuffer? {
        if machine.removalGeneration != generation {
            bodies.removeAll(keepingCapacity: true)
            cachedBytes = 0
            generation = machine.removalGeneration
        }
        if let cached = bodies[id] { return cached }
        guard case .success(let registered) = machine.schema(id: id) else { return nil }
        let body = ByteBuffer(string: RegistryJSON.schemaString(registered).serialized())
        if cachedBytes + body.readableBytes > Self.cachedBytesMax {
            bodies.removeAll(keepingCapacity: true)
            cachedBytes = 0
        }
        if body.readableBytes <= Self.cachedBytesMax {
            bodies[id] = body
            cachedBytes += body.readableBytes
        }
        return body
    }
}
