// Codec-level tests of the registry client: the bodies a Confluent-compatible registry sends
// (as Confluent documents them) decode into the client's values; error answers keep their HTTP
// status, error_code and message; malformed answers give `invalidResponse` naming the field;
// URLs, path encoding and request bodies come out as the Confluent API expects.
import JSON
import NIOCore
import SchemaRegistry
import Testing

@testable import SchemaRegistryClient

private func decode<T>(_ text: String, _ body: (JSONValue, String) throws(SchemaRegistryClientError) -> T) throws -> T {
    let value = try RegistryResponseDecoding.json(ByteBuffer(string: text), request: "GET /test")
    return try body(value, "GET /test")
}

@Suite struct ResponseDecodingTests {
    @Test func subjectVersionDefaultsMissingSchemaTypeToAvro() throws {
        let found = try decode(#"{"subject":"orders-value","version":3,"id":7,"schema":"\"string\""}"#) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.subjectSchema(value, request: request)
        }
        #expect(found == SubjectSchema(subject: "orders-value", version: 3, id: 7, schema: RegistrySchema(schema: "\"string\"")))
    }

    @Test func referencesMetadataAndDeletedFlagSurvive() throws {
        let text = """
            {"subject":"a","version":1,"id":2,"schemaType":"JSON","schema":"{}","deleted":true,
             "references":[{"name":"b.json","subject":"b","version":4}],"metadata":{"tags":{"x":["PII"]}},"ruleSet":null}
            """
        let found = try decode(text) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.subjectSchema(value, request: request)
        }
        #expect(found.schema.schemaType == .json)
        #expect(found.schema.references == [SchemaReference(name: "b.json", subject: "b", version: 4)])
        #expect(found.schema.metadata == (try JSONValue.parse(#"{"tags":{"x":["PII"]}}"#)))
        #expect(found.schema.ruleSet == nil)
        #expect(found.isDeleted == true)
    }

    @Test func missingRequiredFieldNamesIt() throws {
        #expect {
            try decode(#"{"subject":"a","version":1,"schema":"\"int\""}"#) { value, request throws(SchemaRegistryClientError) in
                try RegistryResponseDecoding.subjectSchema(value, request: request)
            }
        } throws: { error in
            guard let error = error as? SchemaRegistryClientError else { return false }
            return error.kind == .invalidResponse && error.message.contains("\"id\"")
        }
    }

    @Test func nonJSONAnswerIsInvalidResponseQuotingTheBody() {
        #expect {
            _ = try RegistryResponseDecoding.json(ByteBuffer(string: "<html>proxy error</html>"), request: "GET /subjects")
        } throws: { error in
            guard let error = error as? SchemaRegistryClientError else { return false }
            return error.kind == .invalidResponse && error.message.contains("<html>proxy error</html>") && error.request == "GET /subjects"
        }
    }

    @Test func errorBodyKeepsStatusCodeAndMessage() {
        let error = RegistryResponseDecoding.registryError(
            status: 404, body: ByteBuffer(string: #"{"error_code":40401,"message":"Subject 'x' not found."}"#), request: "GET /subjects/x/versions")
        #expect(error.kind == .registry)
        #expect(error.httpStatus == 404)
        #expect(error.errorCode == .subjectNotFound)
        #expect(error.message == "Subject 'x' not found.")
        #expect(!error.isRetriable)
        #expect(error.description == "GET /subjects/x/versions: HTTP 404 error 40401: Subject 'x' not found.")
    }

    @Test func incompatibleIsRecognisedUnderBothCodes() {
        for code in [409, 40901] {
            let error = RegistryResponseDecoding.registryError(
                status: 409, body: ByteBuffer(string: #"{"error_code":\#(code),"message":"incompatible"}"#), request: "POST /x")
            #expect(error.isIncompatibleSchema)
        }
    }

    @Test func errorWithoutConfluentBodyKeepsTheText() {
        let error = RegistryResponseDecoding.registryError(status: 503, body: ByteBuffer(string: "upstream down\n"), request: "GET /")
        #expect(error.errorCode == nil)
        #expect(error.message == "upstream down")
        #expect(error.isRetriable)
        let empty = RegistryResponseDecoding.registryError(status: 502, body: ByteBuffer(), request: "GET /")
        #expect(empty.message.contains("502"))
    }

    @Test func configAcceptsGetAndPutShapesAndRejectsUnknownLevels() throws {
        let got = try decode(#"{"compatibilityLevel":"full_transitive","normalize":true}"#) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.config(value, request: request)
        }
        #expect(got == RegistryConfig(compatibilityLevel: .fullTransitive, normalize: true))
        let echoed = try decode(#"{"compatibility":"NONE"}"#) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.config(value, request: request)
        }
        #expect(echoed.compatibilityLevel == CompatibilityLevel.none)
        #expect(throws: SchemaRegistryClientError.self) {
            try decode(#"{"compatibilityLevel":"SIDEWAYS"}"#) { value, request throws(SchemaRegistryClientError) in
                try RegistryResponseDecoding.config(value, request: request)
            }
        }
    }

    @Test func listsCompatibilityAndRegistrationAnswers() throws {
        let versions = try decode("[1,2,5]") { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.integers(value, what: "versions", request: request)
        }
        #expect(versions == [1, 2, 5])
        let pairs = try decode(#"[{"subject":"a","version":1},{"subject":"b","version":3}]"#) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.subjectVersions(value, request: request)
        }
        #expect(pairs == [SubjectVersion(subject: "a", version: 1), SubjectVersion(subject: "b", version: 3)])
        let verdict = try decode(#"{"is_compatible":false,"messages":["READER_FIELD_MISSING_DEFAULT_VALUE: f",{"x":1}]}"#) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.compatibility(value, request: request)
        }
        #expect(verdict == CompatibilityCheckResult(isCompatible: false, messages: ["READER_FIELD_MISSING_DEFAULT_VALUE: f", #"{"x":1}"#]))
        let registration = try decode(#"{"id":12}"#) { value, request throws(SchemaRegistryClientError) in
            try RegistryResponseDecoding.registration(value, request: request)
        }
        #expect(registration == SchemaRegistration(id: 12, version: nil))
        #expect(throws: SchemaRegistryClientError.self) {
            try decode(#"["a",2]"#) { value, request throws(SchemaRegistryClientError) in
                try RegistryResponseDecoding.strings(value, what: "subjects", request: request)
            }
        }
    }
}

@Suite struct RequestBuildingTests {
    @Test func urlsParseWithPrefixCredentialsAndIPv6() throws {
        let plain = try SchemaRegistryEndpoint(url: "http://127.0.0.1:8081")
        #expect(plain.host == "127.0.0.1" && plain.port == 8081 && plain.pathPrefix == "")
        let prefixed = try SchemaRegistryEndpoint(url: "HTTP://user:p%40ss@registry.internal/api/registry/")
        #expect(prefixed.host == "registry.internal" && prefixed.port == 80 && prefixed.pathPrefix == "/api/registry")
        #expect(prefixed.username == "user" && prefixed.password == "p@ss")
        let configuration = SchemaRegistryClientConfiguration(endpoint: prefixed)
        #expect(configuration.authorizationHeader == "Basic dXNlcjpwQHNz")
        let ipv6 = try SchemaRegistryEndpoint(url: "http://[::1]:9000")
        #expect(ipv6.host == "::1" && ipv6.port == 9000)
        #expect(ipv6.description == "http://[::1]:9000")
    }

    @Test func unusableUrlsSayWhatToWrite() {
        for text in ["127.0.0.1:8081", "ftp://host", "http://:80", "http://host:99999", "http://host/x?y=1"] {
            #expect {
                _ = try SchemaRegistryEndpoint(url: text)
            } throws: { error in
                (error as? SchemaRegistryClientError)?.kind == .invalidConfiguration
            }
        }
        #expect {
            _ = try SchemaRegistryEndpoint(url: "https://registry")
        } throws: { error in
            (error as? SchemaRegistryClientError)?.message.contains("TLS") == true
        }
    }

    @Test func pathSegmentsAndQueryArePercentEncoded() {
        let request = SchemaRegistryClient.Request(
            .GET, ["subjects", ":.ctx:orders/v 1", "versions", "latest"], query: [("subjectPrefix", "a&b=c")])
        #expect(request.target == "/subjects/%3A.ctx%3Aorders%2Fv%201/versions/latest?subjectPrefix=a%26b%3Dc")
        #expect(PathEncoding.encode("é") == "%C3%A9")
    }

    @Test func registerBodyAlwaysCarriesTypeAndReferences() {
        let body = SchemaRegistryClient.requestBody(RegistrySchema(schema: "\"string\""))
        #expect(JSONValue.object(body).serialized() == #"{"schema":"\"string\"","schemaType":"AVRO","references":[]}"#)
        let withExtras = SchemaRegistryClient.requestBody(
            RegistrySchema(
                schema: "{}", schemaType: .json, references: [SchemaReference(name: "n", subject: "s", version: 2)],
                metadata: .object(JSONObject([("properties", .object(JSONObject([("owner", .string("team"))])))]))))
        #expect(JSONValue.object(withExtras).serialized() == #"{"schema":"{}","schemaType":"JSON","references":[{"name":"n","subject":"s","version":2}],"metadata":{"properties":{"owner":"team"}}}"#)
    }

    @Test func configurationLimitsAreChecked() throws {
        var configuration = try SchemaRegistryClientConfiguration(url: "http://127.0.0.1:1")
        configuration.connectionsMax = 0
        #expect(throws: SchemaRegistryClientError.self) { _ = try SchemaRegistryClient(configuration: configuration) }
    }
}
