// The route table: every endpoint is a method, a path pattern and a handler. The resource files
// (SubjectRoutes, SchemaRoutes, CompatibilityRoutes, ConfigRoutes, ModeRoutes) each contribute
// their routes; `RegistryRoutes.match` finds the handler for a request, or says whether the
// path is unknown (404) or known under other methods (405). Routes that change state are marked
// `isWrite`, so that a non-primary instance can forward them instead of running them.
import JSON
import SchemaRegistry

struct Route: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter
    }

    typealias Handler = @Sendable (RegistryRequest, [String]) async throws(RegistryError) -> RegistryReply

    let method: String
    let pattern: [Segment]
    let isWrite: Bool
    let handle: Handler

    /// `path` uses `{}` for a parameter: "/subjects/{}/versions/{}".
    init(_ method: String, _ path: String, isWrite: Bool = false, _ handle: @escaping Handler) {
        self.method = method
        self.pattern = path.split(separator: "/").map { $0 == "{}" ? .parameter : .literal(String($0)) }
        self.isWrite = isWrite
        self.handle = handle
    }

    /// GET, PUT and DELETE on `base` (the global setting) and on `base/{subject}`: the shape
    /// /config and /mode share. The handlers get the subject, nil for the global one.
    static func settingRoutes(
        _ base: String,
        get: @escaping @Sendable (RegistryRequest, String?) throws(RegistryError) -> RegistryReply,
        put: @escaping @Sendable (RegistryRequest, String?) async throws(RegistryError) -> RegistryReply,
        delete: @escaping @Sendable (String?) async throws(RegistryError) -> RegistryReply
    ) -> [Route] {
        [
            Route("GET", base) { request, _ throws(RegistryError) in try get(request, nil) },
            Route("PUT", base, isWrite: true) { request, _ throws(RegistryError) in try await put(request, nil) },
            Route("DELETE", base, isWrite: true) { _, _ throws(RegistryError) in try await delete(nil) },
            Route("GET", base + "/{}") { request, parameters throws(RegistryError) in try get(request, parameters[0]) },
            Route("PUT", base + "/{}", isWrite: true) { request, parameters throws(RegistryError) in try await put(request, parameters[0]) },
            Route("DELETE", base + "/{}", isWrite: true) { _, parameters throws(RegistryError) in try await delete(parameters[0]) },
        ]
    }

    /// The parameters when `segments` fit the pattern.
    func parameters(of segments: [String]) -> [String]? {
        guard segments.count == pattern.count else { return nil }
        var parameters: [String] = []
        for (segment, expected) in zip(segments, pattern) {
            switch expected {
            case .literal(let literal): if segment != literal { return nil }
            case .parameter: parameters.append(segment)
            }
        }
        return parameters
    }
}

struct RegistryRoutes: Sendable {
    enum Match {
        case found(Route, parameters: [String])
        case methodNotAllowed
        case notFound
    }

    let routes: [Route]

    init(store: KafkaSchemaStore) {
        routes = [
            Route("GET", "/") { _, _ in .json(.object(JSONObject())) },
            Route("GET", "/contexts") { _, _ in .strings(["."]) },
        ] + SubjectRoutes.routes(store) + SchemaRoutes.routes(store) + CompatibilityRoutes.routes(store)
            + ConfigRoutes.routes(store) + ModeRoutes.routes(store)
    }

    func match(method: String, segments: [String]) -> Match {
        var pathKnown = false
        for route in routes {
            guard let parameters = route.parameters(of: segments) else { continue }
            if route.method == method { return .found(route, parameters: parameters) }
            pathKnown = true
        }
        return pathKnown ? .methodNotAllowed : .notFound
    }
}

/// Parameter parsing shared by the resource files.
enum RouteParameters {
    static func version(_ text: String) throws(RegistryError) -> VersionSelector {
        try VersionSelector.parse(text).get()
    }

    /// A schema id path segment; anything but 1...2^31-1 names no schema.
    static func schemaId(_ text: String) throws(RegistryError) -> Int {
        guard let id = Int(text), id >= 1, id <= Int(Int32.max) else { throw .schemaNotFound() }
        return id
    }

    /// `offset`/`limit` paging as Confluent's list endpoints take it (limit -1 or absent = all).
    static func page<Element>(_ elements: [Element], _ request: RegistryRequest) throws(RegistryError) -> [Element] {
        let offset = try integer("offset", request, default: 0)
        let limit = try integer("limit", request, default: -1)
        guard offset >= 0 else { throw .invalidParameter("offset", String(offset), expected: "a number ≥ 0") }
        let start = min(offset, elements.count)
        // `limit` is the client's number: compare it with what is left instead of adding it to `start`.
        let end = limit < 0 ? elements.count : start + min(limit, elements.count - start)
        return Array(elements[start..<end])
    }

    static func integer(_ name: String, _ request: RegistryRequest, default value: Int) throws(RegistryError) -> Int {
        guard let text = request.query[name], !text.isEmpty else { return value }
        guard let number = Int(text) else { throw .invalidParameter(name, text, expected: "an integer") }
        return number
    }
}
