// Parsing JSON text into JSONValue through jansson (json_loadb), and the error it reports.
//
// jansson does the lexing and grammar; this file only converts its tree into JSONValue. Two
// behaviours differ between users and are therefore options: how deep a document may nest before
// it is refused (the conversion recurses), and whether integers beyond 64 bits are read as reals
// (JSON Schema: an integral real is still an integer) or refused (Avro: such a number fits no type).
import CJansson

/// Where and why a JSON text failed to parse (from jansson's json_error_t).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    /// Byte offset into the input.
    public var position: Int

    public var description: String { "JSON parse error at line \(line), column \(column) (byte \(position)): \(message)" }
}

/// What a parse accepts beyond the JSON grammar itself.
public struct JSONParseOptions: Sendable, Equatable {
    /// Deepest nesting accepted; deeper documents are refused rather than risking the stack.
    public var nestingDepthMax: Int
    /// True: integers beyond Int64 are read as `.number` reals. False: they are a parse error.
    public var readsOversizedIntegersAsReals: Bool

    public init(nestingDepthMax: Int = JSONValue.nestingDepthMax, readsOversizedIntegersAsReals: Bool = true) {
        self.nestingDepthMax = nestingDepthMax
        self.readsOversizedIntegersAsReals = readsOversizedIntegersAsReals
    }
}

extension JSONValue {
    /// Deepest nesting accepted by default when converting a jansson tree (jansson itself stops at 2048).
    public static let nestingDepthMax = 2048

    /// Parses any JSON value (not only objects/arrays). NUL characters inside strings are allowed.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try parse(bytes, options: JSONParseOptions())
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), options: JSONParseOptions())
    }

    public static func parse(_ text: String, options: JSONParseOptions) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    /// Parses any JSON value under `options`. NUL characters inside strings are allowed.
    public static func parse(_ bytes: some Collection<UInt8>, options: JSONParseOptions) throws(JSONParseError) -> JSONValue {
        let contiguous = Array(bytes)
        var error = json_error_t()
        let flags = JSON_DECODE_ANY | JSON_ALLOW_NUL
        var root = load(contiguous, flags: flags, error: &error)
        if root == nil, options.readsOversizedIntegersAsReals,
           json_error_code(&error) == json_error_numeric_overflow, textOf(error).contains("integer") {
            // jansson rejects integers beyond 64 bits; such documents are read again with every
            // integer as a real, which JSON Schema still treats as an integer when it is integral.
            error = json_error_t()
            root = load(contiguous, flags: flags | JSON_DECODE_INT_AS_REAL, error: &error)
        }
        guard let root else {
            if contiguous.isEmpty {
                throw JSONParseError(message: "empty input", line: 1, column: 0, position: 0)
            }
            throw JSONParseError(
                message: textOf(error), line: Int(error.line), column: Int(error.column),
                position: Int(error.position))
        }
        defer { json_decref(root) }
        return try convert(root, depth: 0, depthMax: options.nestingDepthMax)
    }

    private static func load(_ bytes: [UInt8], flags: Int32, error: inout json_error_t) -> UnsafeMutablePointer<json_t>? {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    json_loadb($0, buffer.count, Int(flags), &error)
                }
            } ?? nil
        }
    }

    private static func textOf(_ error: json_error_t) -> String {
        var text = error.text
        return withUnsafeBytes(of: &text) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func convert(
        _ node: UnsafeMutablePointer<json_t>, depth: Int, depthMax: Int
    ) throws(JSONParseError) -> JSONValue {
        guard depth < depthMax else {
            throw JSONParseError(message: "nesting deeper than \(depthMax)", line: 0, column: 0, position: 0)
        }
        switch node.pointee.type {
        case JSON_NULL: return .null
        case JSON_TRUE: return .bool(true)
        case JSON_FALSE: return .bool(false)
        case JSON_INTEGER: return .integer(Int64(json_integer_value(node)))
        case JSON_REAL: return .number(json_real_value(node))
        case JSON_STRING:
            let length = json_string_length(node)
            guard let pointer = json_string_value(node) else { return .string("") }
            let buffer = UnsafeRawBufferPointer(start: pointer, count: length)
            return .string(String(decoding: buffer, as: UTF8.self))
        case JSON_ARRAY:
            let count = json_array_size(node)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                guard let element = json_array_get(node, index) else { continue }
                elements.append(try convert(element, depth: depth + 1, depthMax: depthMax))
            }
            return .array(elements)
        case JSON_OBJECT:
            var object = JSONObject(minimumCapacity: json_object_size(node))
            var iterator = json_object_iter(node)
            while let current = iterator {
                if let keyPointer = json_object_iter_key(current), let valueNode = json_object_iter_value(current) {
                    let keyLength = json_object_iter_key_len(current)
                    let key = String(decoding: UnsafeRawBufferPointer(start: keyPointer, count: keyLength), as: UTF8.self)
                    object[key] = try convert(valueNode, depth: depth + 1, depthMax: depthMax)
                }
                iterator = json_object_iter_next(node, current)
            }
            return .object(object)
        default:
            throw JSONParseError(message: "unknown jansson value type", line: 0, column: 0, position: 0)
        }
    }
}
