import Foundation
import LeaverSweepCore

/// libFuzzer entry point for everything the SCIM client reads from an app: a lookup's ListResponse pages (paging,
/// `totalResults`, `startIndex`, the filter it must not have ignored), SCIM error bodies, `Retry-After`, and the
/// filter it writes for a hostile directory value.
///
/// The first byte picks the HTTP status the fake app answers with, the next up to 64 bytes are the value looked up
/// (a UPN from the directory), the rest is the body the app sends for every request — so a page that never
/// advances must end in an error, never a loop. Compiled with the client's own source files (see `script/fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let statuses = [200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 503]
    let status = statuses[Int(bytes[0]) % statuses.count]
    let valueLength = min(Int(bytes[1]) % 65, size - 2)
    let value = String(decoding: bytes[2..<(2 + valueLength)], as: UTF8.self)
    let body = Data(bytes[(2 + valueLength)...])

    let app = FuzzedApp(status: status, body: body)
    let client = SCIMClient(transport: app, baseURL: "https://app.example/scim/v2", token: "fuzz-token", pageSize: 3, sleep: { _ in })
    for match in SCIMMatch.allCases {
        _ = match.filter(for: value)
        do {
            let users = try client.findUsers(matching: match, value: value)
            for user in users { _ = match.matches(user, value: value) }
        } catch {
            let text = "\(error)"
            // The bearer token never reaches an error, whatever the app answered.
            if text.contains("fuzz-token") { fatalError("token in an error: \(text)") }
        }
    }
    do { try client.deactivate(userId: value.isEmpty ? "x" : value) } catch { _ = "\(error)" }
    _ = SCIMErrorDetail.parse(body)
    return 0
}

/// Answers every request with the same status and body; 429 and 503 carry a Retry-After from the body's start.
private struct FuzzedApp: HTTPTransport {
    let status: Int
    let body: Data

    func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        var headers: [(String, String)] = [("content-type", "application/scim+json")]
        if status == 429 || status == 503 {
            headers.append(("retry-after", String(decoding: body.prefix(12), as: UTF8.self)))
        }
        return HTTPResponse(status: status, headers: HTTPHeaders(headers), body: body)
    }
}

/// The real one redacts credentials with libcurl's URL parser, which the fuzz build does not link.
enum CurlURLPolicy {
    static func redacted(_ url: String) -> String { url }
}
