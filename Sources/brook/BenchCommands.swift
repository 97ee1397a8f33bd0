// `brook bench schemas`: in-process throughput of the schema cores on the data in
// BenchSchemaData — Avro encode/decode with Brook's codec, with the type `brook codegen`
// generates for the same schema (BenchSchemas/BenchOrderPlaced.avsc, through the plugin) and
// with libavro generic values, and
// JSON Schema validation of a ~1 KiB event. It prints figures and never fails on them; it exits
// non-zero only when the data is unusable or the two Avro encoders disagree on the bytes.
// bench/schema-bench.py runs the same data through fastavro and Python jsonschema.
import ArgumentParser
import Avro
import Foundation
import JSONSchema

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "In-process benchmarks; they print figures and never fail on them.",
        subcommands: [Schemas.self, BenchClientCommand.self])

    struct Schemas: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure Avro encode/decode (Brook and libavro) and JSON Schema validation, in records/s.")

        @Option(help: "Seconds each measurement runs, after its warm-up.") var seconds: Double = 1.5
        @Option(name: .customLong("warmup-seconds"), help: "Seconds each measurement runs before timing starts.")
        var warmupSeconds: Double = 0.3
        @Option(name: .customLong("data-dir"), help: "Read the benchmark data from this folder (default: the built-in copy).")
        var dataDirectory: String?
        @Option(name: .customLong("write-data"), help: "Write the built-in benchmark data to this folder and exit.")
        var writeDirectory: String?
        @Option(help: "text or json.") var output: OutputFormat = .text

        func validate() throws {
            guard seconds > 0, seconds <= BenchTimer.secondsMax else {
                throw ValidationError("--seconds must be above 0 and at most \(Int(BenchTimer.secondsMax))")
            }
            guard warmupSeconds >= 0, warmupSeconds <= BenchTimer.secondsMax else {
                throw ValidationError("--warmup-seconds must be 0 to \(Int(BenchTimer.secondsMax))")
            }
        }

        func run() throws {
            if let writeDirectory {
                try BenchSchemaData.builtIn.write(to: writeDirectory)
                print("Wrote the schema benchmark data to \(writeDirectory).")
                return
            }
            let data = try dataDirectory.map { path throws(SchemaInputError) in try BenchSchemaData.read(from: path) } ?? .builtIn
            let timer = BenchTimer(seconds: seconds, warmupSeconds: warmupSeconds)
            let report = try SchemaBenchmarks(data: data).run(timer: timer)
            switch output {
            case .text: print(report.text)
            case .json: print(report.json)
            }
        }
    }
}

/// Runs a body repeatedly: a warm-up, then batches until the time box is used up.
struct BenchTimer {
    /// Longest time box accepted for one measurement.
    static let secondsMax = 600.0
    /// Iterations between clock reads, so reading the clock costs nothing measurable.
    static let batchIterations = 200

    var seconds: Double
    var warmupSeconds: Double

    struct Measurement {
        var name: String
        var iterations: Int
        var seconds: Double
        /// Folded from the body's results so the optimizer cannot drop the work.
        var checksum: Int
        var recordsPerSecond: Double { seconds > 0 ? Double(iterations) / seconds : 0 }
    }

    func measure(_ name: String, _ body: () throws -> Int) rethrows -> Measurement {
        var checksum = 0
        let clock = ContinuousClock()
        let warmupEnd = clock.now + .nanoseconds(Int64(warmupSeconds * 1e9))
        while clock.now < warmupEnd {
            for _ in 0..<Self.batchIterations { checksum &+= try body() }
        }
        let start = clock.now
        let deadline = start + .nanoseconds(Int64(seconds * 1e9))
        var iterations = 0
        repeat {
            for _ in 0..<Self.batchIterations { checksum &+= try body() }
            iterations += Self.batchIterations
        } while clock.now < deadline
        let elapsed = start.duration(to: clock.now)
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Measurement(name: name, iterations: iterations, seconds: elapsedSeconds, checksum: checksum)
    }
}

struct SchemaBenchmarks {
    var data: BenchSchemaData

    struct Report {
        var measurements: [BenchTimer.Measurement]
        var avroEncodedHex: String
        var eventBytes: Int

        var text: String {
            var table = TextTable(headers: ["MEASUREMENT", "RECORDS/S", "ITERATIONS", "SECONDS"], alignments: [.left, .right, .right, .right])
            for measurement in measurements {
                table.append([
                    measurement.name, String(Int(measurement.recordsPerSecond.rounded())), String(measurement.iterations),
                    String(format: "%.2f", measurement.seconds),
                ])
            }
            return table.render() + "\nAvro datum: \(avroEncodedHex.count / 2) bytes; JSON event: \(eventBytes) bytes"
        }

        var json: String {
            JSONOutput.pretty([
                "avroEncodedHex": avroEncodedHex, "eventBytes": eventBytes,
                "recordsPerSecond": Dictionary(uniqueKeysWithValues: measurements.map { ($0.name, $0.recordsPerSecond) }),
            ] as [String: Any])
        }
    }

    func run(timer: BenchTimer) throws -> Report {
        var measurements: [BenchTimer.Measurement] = []
        let avro = try avroMeasurements(timer: timer)
        measurements += avro.measurements
        measurements += try jsonSchemaMeasurements(timer: timer)
        return Report(
            measurements: measurements, avroEncodedHex: avro.encoded.map { String(format: "%02x", $0) }.joined(),
            eventBytes: data.jsonEvent.utf8.count)
    }

    private func avroMeasurements(timer: BenchTimer) throws -> (measurements: [BenchTimer.Measurement], encoded: [UInt8]) {
        let schema: AvroSchema
        let datum: AvroValue
        do {
            schema = try AvroSchema.parse(data.avroSchema)
            datum = try AvroJSON.decode(data.avroDatum, schema: schema)
        } catch {
            throw CommandFailure("the Avro benchmark data is unusable: \(error)")
        }
        let encoded = try AvroEncoder.encode(datum, schema: schema)
        let libavro = try LibavroGenericDatum(schemaJSON: data.avroSchema)
        try libavro.set(datum, schema: schema)
        let libavroEncoded = libavro.encodedBytes(count: try libavro.encode())
        guard libavroEncoded == encoded else {
            throw CommandFailure("Brook and libavro encode the benchmark datum differently (\(encoded.count) and \(libavroEncoded.count) bytes); the figures would not compare like with like")
        }
        let typed = try BenchOrderPlaced(avroValue: datum)
        guard BenchOrderPlaced.avroFingerprint == schema.fingerprint64, typed.avroEncoded() == encoded else {
            throw CommandFailure("the generated BenchOrderPlaced type does not match the benchmark schema and datum; regenerate it from the same schema")
        }
        var results: [BenchTimer.Measurement] = []
        results.append(try timer.measure("avro-encode-brook") { try AvroEncoder.encode(datum, schema: schema).count })
        results.append(timer.measure("avro-encode-generated") { typed.avroEncoded().count })
        results.append(try timer.measure("avro-encode-libavro") { try libavro.encode() })
        try encoded.withUnsafeBytes { bytes in
            results.append(try timer.measure("avro-decode-brook") {
                guard case .record(let fields) = try AvroDecoder.decode(bytes, schema: schema) else { return 0 }
                return fields.count
            })
            results.append(try timer.measure("avro-decode-generated") {
                Int(try BenchOrderPlaced.avroDecode(bytes).priority)
            })
            results.append(try timer.measure("avro-decode-libavro") {
                try libavro.decode(bytes)
                return libavro.size
            })
        }
        return (results, encoded)
    }

    private func jsonSchemaMeasurements(timer: BenchTimer) throws -> [BenchTimer.Measurement] {
        let validator: JSONSchemaValidator
        let assertingValidator: JSONSchemaValidator
        let event: JSONValue
        let eventBytes = Array(data.jsonEvent.utf8)
        do {
            let document = try JSONValue.parse(data.jsonSchema)
            validator = try JSONSchemaValidator(schema: document)
            assertingValidator = try JSONSchemaValidator(schema: document, formatAssertion: true)
            event = try JSONValue.parse(eventBytes)
        } catch {
            throw CommandFailure("the JSON Schema benchmark data is unusable: \(error)")
        }
        let problems = assertingValidator.validate(event)
        guard problems.isEmpty else {
            throw CommandFailure("the benchmark event is not valid against its schema: \(problems.map(\.description).joined(separator: "; "))")
        }
        return [
            timer.measure("jsonschema-validate-brook") { validator.isValid(event) ? 1 : 0 },
            timer.measure("jsonschema-validate-all-errors-brook") { validator.validate(event).count + 1 },
            try timer.measure("jsonschema-parse-validate-brook") {
                try validator.isValid(JSONValue.parse(eventBytes)) ? 1 : 0
            },
            timer.measure("jsonschema-validate-formats-brook") { assertingValidator.isValid(event) ? 1 : 0 },
        ]
    }
}
