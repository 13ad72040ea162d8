import Foundation

/// Finds `"@odata.nextLink":"…"` in a page's raw bytes, so the next page can be requested before this one is decoded.
///
/// A hint only: the caller compares it with the nextLink of the fully decoded page and throws the prefetched answer
/// away on any difference. A string value can't fake the key (its quotes would be escaped), a link with escapes is
/// left to the decoder, and the request itself still goes through the client's origin check.
enum NextLinkScan {
    private static let key = Array(#""@odata.nextLink""#.utf8)

    static func find(in body: Data) -> String? {
        body.withUnsafeBytes { raw -> String? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count > key.count else { return nil }
            var start = 0
            while start + key.count <= bytes.count {
                guard let first = (start..<(bytes.count - key.count + 1)).first(where: { bytes[$0] == key[0] && matches(bytes, at: $0) }) else { return nil }
                var index = first + key.count
                func skipSpace() { while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 } }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { start = first + 1; continue }
                index += 1
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
                index += 1
                let valueStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<index]), as: UTF8.self)
            }
            return nil
        }
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        for (position, byte) in key.enumerated() where bytes[offset + position] != byte { return false }
        return true
    }
}

/// One GET running on its own thread; `wait` returns its answer or rethrows its error.
final class PrefetchedPage: @unchecked Sendable {
    let link: String
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<GraphResponse, Error>?

    init(link: String, fetch: @escaping @Sendable () throws -> GraphResponse) {
        self.link = link
        let thread = Thread { [self] in
            result = Result { try fetch() }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func wait() throws -> GraphResponse {
        done.wait()
        done.signal()  // later waits return at once
        return try result!.get()
    }
}
