// The one error type of the generator: which file, where in it, and what to change.

public struct CodegenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The schema file (relative to the input folder) the problem is in; empty when not file-specific.
    public var file: String
    /// JSON-pointer-like location in the schema ("" is the root).
    public var path: String
    public var message: String

    public init(file: String = "", path: String = "", message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = path.isEmpty ? "" : " at \(path)"
        return file.isEmpty ? message : "\(file)\(location): \(message)"
    }

    func inFile(_ name: String) -> CodegenError {
        CodegenError(file: file.isEmpty ? name : file, path: path, message: message)
    }
}
