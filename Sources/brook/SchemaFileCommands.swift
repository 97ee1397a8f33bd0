// `brook schema tojson` and `brook schema fromjson`: Avro object container files to and from
// Avro-JSON datums, one per line (as avro-tools tojson/fromjson). The file work is the Avro
// target's AvroContainerFile (libavro blocks, Brook schema and datums). Input that cannot be
// used (missing file, broken container, invalid schema, a line that is not a datum) ends the
// command with exit status 2 and one line on stderr saying what and where.
import ArgumentParser
import Avro
import Foundation

/// Exit status for input the command cannot use.
let unusableInputExitCode: Int32 = 2

/// Writes the reason to stderr (as `brook schema validate` does) and leaves with exit status 2.
func failUnusableInput(_ reason: String) -> ExitCode {
    FileHandle.standardError.write(Data("Error: \(reason)\n".utf8))
    return ExitCode(unusableInputExitCode)
}

struct SchemaToJSONCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tojson",
        abstract: "Print the datums of an Avro container file as Avro JSON, one per line.")

    /// Output is handed to stdout in chunks of about this size.
    static let outputChunkBytes = 64 * 1024

    @Argument(help: "The .avro container file.")
    var file: String

    @Flag(help: "Print the writer schema from the file header instead of the datums.")
    var printSchema = false

    func run() throws {
        var output = ""
        for line in try outputLines() {
            output += line
            output += "\n"
            if output.utf8.count >= Self.outputChunkBytes {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    /// The schema line or one JSON line per datum; unusable input throws exit status 2.
    func outputLines() throws -> [String] {
        let contents: (schema: AvroSchema, values: [AvroValue])
        do {
            if printSchema { return [try AvroContainerFile.readHeader(path: file).schemaText] }
            contents = try AvroContainerFile.read(path: file)
        } catch {
            throw failUnusableInput(error.description)
        }
        var lines: [String] = []
        lines.reserveCapacity(contents.values.count)
        for (index, value) in contents.values.enumerated() {
            do {
                lines.append(try AvroJSON.encode(value, schema: contents.schema))
            } catch {
                throw failUnusableInput("\(file): datum \(index) cannot be written as JSON: \(error)")
            }
        }
        return lines
    }
}

struct SchemaFromJSONCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fromjson",
        abstract: "Write Avro JSON datums (one per line) to an Avro container file.")

    /// A schema file larger than this is refused rather than read into memory.
    static let schemaFileBytesMax = 16 * 1024 * 1024

    @Option(help: "The writer schema (.avsc file).")
    var schema: String

    @Option(help: "Block codec: null, deflate, snappy or lzma (the ones libavro is built with; Debian's has all four).")
    var codec: String = AvroContainerCodec.null.rawValue

    @Option(help: "JSON datums, one per line (default: stdin).")
    var input: String?

    @Option(help: "The .avro file to write (replaced if it exists).")
    var output: String

    func validate() throws {
        guard AvroContainerCodec(rawValue: codec) != nil else {
            throw ValidationError("--codec \"\(codec)\" must be one of \(AvroContainerCodec.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        guard let codecChoice = AvroContainerCodec(rawValue: codec) else { throw failUnusableInput("unknown codec \(codec)") }
        let schemaText: String
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: schema)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Self.schemaFileBytesMax else {
                throw failUnusableInput("\(schema): the schema file is \(size) bytes, more than \(Self.schemaFileBytesMax)")
            }
            schemaText = try String(contentsOfFile: schema, encoding: .utf8)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failUnusableInput("\(schema): cannot read the schema file (\(error.localizedDescription))")
        }
        let writerSchema: AvroSchema
        do {
            writerSchema = try AvroSchema.parse(schemaText)
        } catch {
            throw failUnusableInput("\(schema): not a valid Avro schema: \(error)")
        }
        let reader: LineReader
        if let input {
            guard let opened = LineReader(path: input) else { throw failUnusableInput("\(input): cannot open the file") }
            reader = opened
        } else {
            reader = LineReader(fileDescriptor: 0, totalBytes: nil)
        }
        let inputName = input ?? "stdin"
        var values: [AvroValue] = []
        var lineNumber = 0
        while let line = reader.nextLine() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                values.append(try AvroJSON.decode(line, schema: writerSchema))
            } catch {
                throw failUnusableInput("\(inputName) line \(lineNumber): not a datum of the schema: \(error)")
            }
        }
        do {
            try AvroContainerFile.write(path: output, schema: writerSchema, values: values, codec: codecChoice)
        } catch {
            throw failUnusableInput(error.description)
        }
    }
}
