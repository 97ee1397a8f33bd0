// `brook bench schemas`: not its figures (they are not pass/fail), but that it measures like
// with like — Brook and libavro produce the same bytes for the benchmark datum, the event is
// valid, and the data written for bench/schema-bench.py reads back unchanged.
import Avro
import Foundation
import Testing

@testable import brook

@Suite struct BenchSchemasTests {
    @Test func brookAndLibavroEncodeTheDatumIdentically() throws {
        let data = BenchSchemaData.builtIn
        let schema = try AvroSchema.parse(data.avroSchema)
        let datum = try AvroJSON.decode(data.avroDatum, schema: schema)
        guard case .record(let fields) = datum else {
            Issue.record("the benchmark datum is not a record")
            return
        }
        #expect(fields.count == 10)
        let brookBytes = try AvroEncoder.encode(datum, schema: schema)
        let libavro = try LibavroGenericDatum(schemaJSON: data.avroSchema)
        try libavro.set(datum, schema: schema)
        #expect(libavro.encodedBytes(count: try libavro.encode()) == brookBytes)
        try brookBytes.withUnsafeBytes { try libavro.decode($0) }
        #expect(libavro.size == 10)
        #expect(libavro.encodedBytes(count: try libavro.encode()) == brookBytes)
    }

    @Test func aShortRunReportsEveryMeasurement() throws {
        let report = try SchemaBenchmarks(data: .builtIn).run(timer: BenchTimer(seconds: 0.001, warmupSeconds: 0))
        #expect(report.measurements.map(\.name) == [
            "avro-encode-brook", "avro-encode-generated", "avro-encode-libavro",
            "avro-decode-brook", "avro-decode-generated", "avro-decode-libavro",
            "jsonschema-validate-brook", "jsonschema-validate-all-errors-brook", "jsonschema-parse-validate-brook",
            "jsonschema-validate-formats-brook",
        ])
        #expect(report.measurements.allSatisfy { $0.iterations >= BenchTimer.batchIterations && $0.recordsPerSecond > 0 })
        // Every isValid measurement saw a valid event (1 per iteration; a zero warm-up runs none).
        for measurement in report.measurements where measurement.name.hasPrefix("jsonschema-") && !measurement.name.contains("all-errors") {
            #expect(measurement.checksum == measurement.iterations, "\(measurement.name)")
        }
        #expect(report.eventBytes > 1000 && report.eventBytes < 1300)
    }

    @Test func writtenDataReadsBackUnchanged() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("brook-bench-data-\(UUID().uuidString)").path
        try BenchSchemaData.builtIn.write(to: folder)
        let read = try BenchSchemaData.read(from: folder)
        #expect(read.avroSchema == BenchSchemaData.builtIn.avroSchema)
        #expect(read.avroDatum == BenchSchemaData.builtIn.avroDatum)
        #expect(read.jsonSchema == BenchSchemaData.builtIn.jsonSchema)
        #expect(read.jsonEvent == BenchSchemaData.builtIn.jsonEvent)
        #expect(throws: SchemaInputError.self) { try BenchSchemaData.read(from: folder + "/missing") }
    }
}
