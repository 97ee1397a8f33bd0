// Where the registry is and how the client talks to it: the base URL (with an optional path
// prefix, as when a registry sits behind a proxy at http://host/registry), basic credentials,
// timeouts, the connection pool's size and the limits on answers. Every limit is named here and
// checked by the transport, so a misbehaving server gives a typed error, never unbounded memory.
import Foundation

/// A parsed `http://[user:password@]host[:port][/prefix]` registry address.
public struct SchemaRegistryEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Prepended to every request path; empty or "/something" without a trailing slash.
    public var pathPrefix: String
    /// Credentials written in the URL's user-info part, if any.
    public var username: String?
    public var password: String?

    public init(host: String, port: Int, pathPrefix: String = "") {
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "http://\(hostText):\(port)\(pathPrefix)"
    }

    /// Parses a registry URL. Only `http` is spoken: TLS needs a library this target does not
    /// link, so `https` is refused with a sentence saying what to do instead.
    public init(url text: String) throws(SchemaRegistryClientError) {
        func invalid(_ reason: String) -> SchemaRegistryClientError {
            SchemaRegistryClientError(
                kind: .invalidConfiguration,
                message: "registry URL \"\(text)\" \(reason); write it as http://host:port or http://host:port/path-prefix")
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let schemeEnd = trimmed.range(of: "://") else { throw invalid("has no scheme") }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        if scheme == "https" {
            throw SchemaRegistryClientError(
                kind: .invalidConfiguration,
                message: "registry URL \"\(text)\" uses https, which this client does not speak yet; use http:// or put a TLS-terminating proxy in front of the client")
        }
        guard scheme == "http" else { throw invalid("uses the scheme \"\(scheme)\"") }
        var rest = trimmed[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else { throw invalid("has a query or fragment") }
        let authority: Substring
        var path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[slash...]
        } else {
            authority = rest
            path = ""
        }
        rest = authority
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            if parts.count > 1 { password = String(parts[1]).removingPercentEncoding ?? String(parts[1]) }
        }
        var hostText: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("has an unclosed [IPv6] host") }
            hostText = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw invalid("has text after the host") }
        } else if let colon = rest.lastIndex(of: ":") {
            hostText = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            hostText = rest
        }
        guard !hostText.isEmpty else { throw invalid("has no host") }
        host = String(hostText)
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { throw invalid("has an invalid port") }
            port = number
        } else {
            port = 80
        }
        while path.hasSuffix("/") { path = path.dropLast() }
        pathPrefix = String(path)
    }
}

public struct SchemaRegistryClientConfiguration: Sendable {
    public var endpoint: SchemaRegistryEndpoint
    /// HTTP basic credentials; taken from the URL's user-info part when it has one.
    public var username: String?
    public var password: String?
    /// How long opening a TCP connection may take.
    public var connectTimeoutMilliseconds: Int64 = 10_000
    /// How long one request may wait for its complete answer (per attempt).
    public var requestTimeoutMilliseconds: Int64 = 30_000
    /// Open connections to the registry at most; further requests wait for a free one.
    public var connectionsMax = 8
    /// Largest answer body accepted; a registry answer past it is refused as invalid.
    public var responseBodyBytesMax = 64 * 1024 * 1024
    /// Further attempts after a retriable failure (connection trouble, 408/429/5xx).
    public var retriesMax = 2
    /// Wait before the first retry; doubled for each further one.
    public var retryBackoffMilliseconds: Int64 = 100
    public var userAgent = "brook-schema-registry-client"

    public init(endpoint: SchemaRegistryEndpoint) {
        self.endpoint = endpoint
        username = endpoint.username
        password = endpoint.password
    }

    /// `url` like "http://127.0.0.1:8081" or "http://user:secret@registry.internal/prefix".
    public init(url: String) throws(SchemaRegistryClientError) {
        self.init(endpoint: try SchemaRegistryEndpoint(url: url))
    }

    func validated() throws(SchemaRegistryClientError) -> SchemaRegistryClientConfiguration {
        func invalid(_ message: String) -> SchemaRegistryClientError {
            SchemaRegistryClientError(kind: .invalidConfiguration, message: message)
        }
        guard connectTimeoutMilliseconds > 0 else { throw invalid("connectTimeoutMilliseconds must be positive") }
        guard requestTimeoutMilliseconds > 0 else { throw invalid("requestTimeoutMilliseconds must be positive") }
        guard connectionsMax >= 1 else { throw invalid("connectionsMax must be at least 1") }
        guard responseBodyBytesMax >= 1024 else { throw invalid("responseBodyBytesMax must be at least 1024") }
        guard retriesMax >= 0 else { throw invalid("retriesMax must be 0 or more") }
        guard retryBackoffMilliseconds >= 0 else { throw invalid("retryBackoffMilliseconds must be 0 or more") }
        return self
    }

    /// The `Authorization` header value, when credentials are set.
    var authorizationHeader: String? {
        guard let username else { return nil }
        let pair = "\(username):\(password ?? "")"
        return "Basic " + Data(pair.utf8).base64EncodedString()
    }
}
