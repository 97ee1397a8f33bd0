// JSONSchemaValidator behaviour beyond the conformance suite: error reports (instance pointer,
// keyword, schema location), format assertion, remote resolution, limits and bad schemas.
import JSONSchema
import Testing

@Suite struct ValidatorTests {
    private let orderSchema = #"""
        {"$schema":"https://json-schema.org/draft/2020-12/schema",
         "type":"object","required":["id","items"],"additionalProperties":false,
         "properties":{
           "id":{"type":"string","pattern":"^o-[0-9]+$"},
           "items":{"type":"array","minItems":1,"items":{"$ref":"#/$defs/item"}},
           "note":{"type":"string","maxLength":5}},
         "$defs":{"item":{"type":"object","required":["sku","quantity"],
           "properties":{"sku":{"type":"string"},"quantity":{"type":"integer","minimum":1}}}}}
        """#

    @Test func validInstanceHasNoErrors() throws {
        let validator = try JSONSchemaValidator(schema: JSONValue.parse(orderSchema))
        let order = try JSONValue.parse(#"{"id":"o-12","items":[{"sku":"a","quantity":2}],"note":"hi"}"#)
        #expect(validator.validate(order).isEmpty)
        #expect(validator.isValid(order))
        #expect(validator.draft == .draft2020_12)
    }

    @Test func errorsNameInstancePathKeywordAndSchemaLocation() throws {
        let validator = try JSONSchemaValidator(schema: JSONValue.parse(orderSchema))
        let order = try JSONValue.parse(
            #"{"id":"x","items":[{"sku":"a","quantity":0},{"quantity":1}],"note":"too long","extra":1}"#)
        let errors = validator.validate(order)
        let summary = Set(errors.map { "\($0.instancePath) \($0.keyword)" })
        #expect(summary == [
            "/id pattern", "/items/0/quantity minimum", "/items/1 required", "/note maxLength", "/extra additionalProperties",
        ])
        let minimum = errors.first { $0.keyword == "minimum" }
        #expect(minimum?.schemaLocation.hasSuffix("#/$defs/item/properties/quantity/minimum") == true)
        let extra = errors.first { $0.instancePath == "/extra" }
        #expect(extra?.schemaLocation.hasSuffix("#/additionalProperties") == true)
        #expect(!validator.isValid(order))
    }

    @Test func pointerTokensAreEscaped() throws {
        let validator = try JSONSchemaValidator(
            schema: JSONValue.parse(#"{"properties":{"a/b~c":{"type":"string"}}}"#))
        let errors = validator.validate(try JSONValue.parse(#"{"a/b~c":1}"#))
        #expect(errors.map(\.instancePath) == ["/a~1b~0c"])
    }

    @Test func formatIsAnAnnotationUnlessAsserted() throws {
        let schema = try JSONValue.parse(#"{"type":"string","format":"date-time"}"#)
        let bad = JSONValue.string("yesterday")
        #expect(try JSONSchemaValidator(schema: schema).isValid(bad))
        let asserting = try JSONSchemaValidator(schema: schema, formatAssertion: true)
        #expect(!asserting.isValid(bad))
        #expect(asserting.isValid(.string("2024-02-29T12:30:00.5+01:00")))
        #expect(!asserting.isValid(.string("2023-02-29T12:30:00Z")))
    }

    @Test func remoteReferencesGoThroughTheResolver() throws {
        let schema = try JSONValue.parse(#"{"$ref":"https://example.com/positive.json"}"#)
        let positive = try JSONValue.parse(#"{"type":"integer","exclusiveMinimum":0}"#)
        let validator = try JSONSchemaValidator(schema: schema) { uri in
            uri == "https://example.com/positive.json" ? positive : nil
        }
        #expect(validator.isValid(.integer(3)))
        #expect(!validator.isValid(.integer(0)))
        #expect(throws: SchemaError.unresolvableReference("https://example.com/positive.json")) {
            try JSONSchemaValidator(schema: schema)
        }
    }

    @Test func metaSchemasAreBuiltIn() throws {
        let validator = try JSONSchemaValidator(
            schema: JSONValue.parse(#"{"$ref":"http://json-schema.org/draft-07/schema#"}"#))
        #expect(validator.isValid(try JSONValue.parse(#"{"type":"string","minLength":1}"#)))
        #expect(!validator.isValid(try JSONValue.parse(#"{"type":"strin"}"#)))
    }

    @Test func badSchemasAreTypedErrors() throws {
        #expect(throws: SchemaError.self) { try JSONSchemaValidator(schema: JSONValue.parse(#"{"type":"strnig"}"#)) }
        #expect(throws: SchemaError.self) { try JSONSchemaValidator(schema: JSONValue.parse(#"{"pattern":"("}"#)) }
        #expect(throws: SchemaError.self) { try JSONSchemaValidator(schema: JSONValue.parse(#"{"minLength":-1}"#)) }
        #expect(throws: SchemaError.self) { try JSONSchemaValidator(schema: .integer(3)) }
    }

    @Test func referenceLoopsWithoutProgressFailInsteadOfCrashing() throws {
        let schema = try JSONValue.parse(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##)
        let validator = try JSONSchemaValidator(schema: schema)
        #expect(!validator.isValid(.integer(1)))
        #expect(validator.validate(.integer(1)).contains { $0.keyword == "$ref" })
    }

    @Test func stringLengthCountsCodePoints() throws {
        let validator = try JSONSchemaValidator(schema: JSONValue.parse(#"{"maxLength":2,"minLength":2}"#))
        #expect(validator.isValid(.string("😀é")))
        #expect(!validator.isValid(.string("abc")))
    }

    @Test func patternsFollowECMAScriptRules() throws {
        let validator = try JSONSchemaValidator(schema: JSONValue.parse(#"{"pattern":"^\\d+$"}"#))
        #expect(validator.isValid(.string("123")))
        // ECMA-262 \d is ASCII only.
        #expect(!validator.isValid(.string("١٢٣")))
        let control = try JSONSchemaValidator(schema: JSONValue.parse(#"{"pattern":"^\\cC$"}"#))
        #expect(control.isValid(.string("\u{3}")))
    }
}

@Suite struct MetaSchemaTests {
    @Test func schemasAreCheckedAgainstTheirMetaSchema() throws {
        #expect(try JSONSchemaValidator.metaSchemaErrors(for: JSONValue.parse(#"{"type":"object","minProperties":1}"#)).isEmpty)
        let bad = try JSONValue.parse(#"{"type":"object","properties":{"a":{"minLength":-2}}}"#)
        let errors = try JSONSchemaValidator.metaSchemaErrors(for: bad)
        #expect(errors.contains { $0.instancePath == "/properties/a/minLength" })
        let draft7 = try JSONValue.parse(#"{"$schema":"http://json-schema.org/draft-07/schema#","required":"a"}"#)
        #expect(try JSONSchemaValidator.metaSchemaErrors(for: draft7).map(\.instancePath) == ["/required"])
    }
}

@Suite struct DeepInstanceTests {
    /// Deeply nested instances under a recursive schema must neither crash nor recurse forever,
    /// even on a Swift concurrency thread (smaller stacks than the main thread).
    @Test func deepNestingIsBoundedOnConcurrencyThreads() async throws {
        let validator = try JSONSchemaValidator(
            schema: JSONValue.parse(##"{"type":"array","items":{"$ref":"#"}}"##))
        var instance = JSONValue.array([])
        for _ in 0..<1_500 { instance = .array([instance]) }
        let nested = instance
        let outcome = await Task.detached { validator.isValid(nested) && validator.validate(nested).isEmpty }.value
        // Past the evaluation depth limit the instance is reported invalid instead of crashing.
        #expect(outcome == false)
        var shallow = JSONValue.array([])
        for _ in 0..<100 { shallow = .array([shallow]) }
        let small = shallow
        #expect(await Task.detached { validator.isValid(small) }.value)
    }
}
