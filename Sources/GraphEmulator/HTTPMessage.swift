import Foundation

/// One HTTP/1.1 request as the loopback server read it off the socket.
struct HTTPRequest: Sendable {
    var method: String
    /// The raw request-target, e.g. `/v1.0/users?$top=5`.
    var target: String
    var headers: [HTTPHeader]
    var body: Data

    /// Header lookup is case-insensitive, as HTTP requires.
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The path part of the target, still percent-encoded.
    var rawPath: String {
        if let mark = target.firstIndex(of: "?") { return String(target[..<mark]) }
        return target
    }

    /// The query part of the target, still percent-encoded; empty when there is none.
    var rawQuery: String {
        if let mark = target.firstIndex(of: "?") { return String(target[target.index(after: mark)...]) }
        return ""
    }
}

struct HTTPHeader: Sendable, Equatable {
    var name: String
    var value: String
}

/// A complete response; the server adds Content-Length and Connection itself.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [HTTPHeader] = []
    var body = Data()

    /// Wire form. `includeBody` is false only for HEAD.
    func serialized(keepAlive: Bool, includeBody: Bool = true) -> Data {
        var head = "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var wire = Data(head.utf8)
        if includeBody { wire.append(body) }
        return wire
    }
}

/// What the server does with a request: answer it, or fail the exchange the way a broken network or
/// server would (the emulator's transport-level faults).
enum HTTPReply: Sendable {
    case response(HTTPResponse)
    /// Close at once with a TCP RST (SO_LINGER 0), answering nothing.
    case reset
    /// Send the head with the full Content-Length, then half the body, then close.
    case truncated(HTTPResponse)
    /// Answer nothing for `seconds`, or until the client hangs up, then close.
    case stall(seconds: Double)
}

extension HTTPReply {
    /// The status the client received in full; 0 when it got no complete response.
    var recordedStatus: Int {
        if case .response(let response) = self { return response.status }
        return 0
    }

    /// Body bytes that actually went out: none for a reset, stall or HEAD, half for a truncated body.
    func bodyBytesSent(forHEAD: Bool) -> Int {
        switch self {
        case .response(let response): forHEAD ? 0 : response.body.count
        case .truncated(let response): response.body.count - (response.body.count + 1) / 2
        case .reset, .stall: 0
        }
    }

    func adding(_ header: HTTPHeader) -> HTTPReply {
        switch self {
        case .response(var response):
            response.headers.append(header)
            return .response(response)
        case .truncated(var response):
            response.headers.append(header)
            return .truncated(response)
        case .reset, .stall:
            return self
        }
    }
}

enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 424: "Failed Dependency"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}

/// Percent-encoding helpers for paths, queries and form bodies.
enum URLCoding {
    /// Decodes `%XX` escapes; malformed escapes are kept literally rather than rejected, like most servers.
    static func percentDecode(_ text: String, plusAsSpace: Bool = false) -> String {
        let bytes = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits `a=1&b=2` into decoded pairs in order; `+` means space, as in form encoding.
    static func parsePairs(_ query: String) -> [(String, String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let equals = part.firstIndex(of: "=") {
                return (percentDecode(String(part[..<equals]), plusAsSpace: true),
                        percentDecode(String(part[part.index(after: equals)...]), plusAsSpace: true))
            }
            return (percentDecode(String(part), plusAsSpace: true), "")
        }
    }

    /// Encodes a query key or value; keeps the characters Graph's own nextLinks leave readable.
    static func encodeQueryComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"),
                 UInt8(ascii: "$"), UInt8(ascii: ","), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: "'"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: ";"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
