// JSONValue: parsing through jansson (integers vs reals, big integers, NUL in strings, key
// order, error positions, the depth and big-integer options), JSON equality, serialization
// round trips and writer styles.
import JSON
import Testing

@Suite struct JSONValueTests {
    @Test func keepsIntegersExactAndRealsReal() throws {
        let value = try JSONValue.parse(#"{"a":9007199254740993,"b":1.0,"c":-0,"d":1e2}"#)
        guard case .integer(let a)? = value["a"] else { Issue.record("a is not an integer"); return }
        #expect(a == 9_007_199_254_740_993)
        guard case .number(let b)? = value["b"] else { Issue.record("b is not a number"); return }
        #expect(b == 1.0)
        #expect(value["b"]?.schemaTypeName == "integer")
        #expect(value["d"] == .integer(100))
    }

    @Test func integersBeyondSixtyFourBitsBecomeReals() throws {
        let value = try JSONValue.parse("[12345678901234567890123, 5]")
        guard case .array(let elements) = value, case .number(let big) = elements[0] else {
            Issue.record("expected a real"); return
        }
        #expect(big > 1.2e22)
        #expect(elements[1] == .integer(5))
    }

    @Test func parsesScalarsAndNulCharacters() throws {
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse(" null ") == .null)
        #expect(try JSONValue.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    }

    @Test func objectKeysKeepDocumentOrder() throws {
        let value = try JSONValue.parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.serialized() == #"{"z":1,"a":2,"m":3}"#)
        #expect(value.serialized(sortedKeys: true) == #"{"a":2,"m":3,"z":1}"#)
    }

    @Test func parseErrorsCarryLineColumnAndPosition() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": [1, 2,]\n}")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column > 0)
            #expect(error.position > 0)
            #expect(!error.message.isEmpty)
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[1] trailing") }
    }

    @Test func equalityIsJSONEquality() throws {
        #expect(JSONValue.integer(1) == .number(1.0))
        #expect(JSONValue.integer(1) != .number(1.5))
        #expect(try JSONValue.parse(#"{"a":1,"b":[true]}"#) == JSONValue.parse(#"{"b":[true],"a":1.0}"#))
        #expect(JSONValue.bool(false) != .integer(0))
        // Canonically equivalent but different code points are different JSON strings.
        #expect(JSONValue.string("\u{e9}") != .string("e\u{301}"))
    }

    @Test func serializationRoundTrips() throws {
        let text = #"{"s":"q\"\\\n\t\u0001é","n":[1,-2.5,1e+300,0.1],"o":{},"e":[],"t":true,"f":false,"z":null}"#
        let value = try JSONValue.parse(text)
        let again = try JSONValue.parse(value.serialized())
        #expect(again == value)
        #expect(JSONValue.number(.infinity).serialized() == "null")
        #expect(JSONValue.number(2).serialized() == "2.0")
    }

    @Test func optionsBoundNestingAndOversizedIntegers() throws {
        let shallow = JSONParseOptions(nestingDepthMax: 3)
        #expect(try JSONValue.parse("[[1]]", options: shallow) == .array([.array([.integer(1)])]))
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[[[1]]]", options: shallow) }
        let strict = JSONParseOptions(readsOversizedIntegersAsReals: false)
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[12345678901234567890123]", options: strict) }
        #expect(try JSONValue.parse("[1.5, 7]", options: strict) == .array([.number(1.5), .integer(7)]))
    }

    @Test func writerStyleChoosesEscapesRealsAndKeyOrder() throws {
        let value = try JSONValue.parse(#"{"b":"\u001f","a":0.5}"#)
        #expect(value.serialized() == #"{"b":"\u001f","a":0.5}"#)
        let style = JSONWriterStyle(sortsKeys: true, usesUppercaseHexEscapes: true, realText: { "\($0 * 2)" })
        #expect(value.serialized(style: style) == #"{"a":1.0,"b":"\u001F"}"#)
        var output = "x="
        JSONValue.writeString("\u{1}\"", to: &output, style: .compact)
        #expect(output == #"x="\u0001\"""#)
    }
}
