import Foundation
import LeaverSweepCore

/// libFuzzer entry point for everything the Graph client reads from a response body: each collection page
/// decoder and its `model()`, Graph's error body, and the timestamps and `Retry-After` values inside them.
///
/// Compiled together with the client's own source files (see `script/fuzz`), so the internal payload types
/// are the real ones. Decoding errors are expected; a crash, trap or hang is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    readPage(of: UserPayload.self, body) { try $0.model() }
    readPage(of: DevicePayload.self, body) { try $0.model() }
    readPage(of: AppRoleAssignmentPayload.self, body) { $0.model(userId: "00000000-0000-0000-0000-000000000001") }
    readPage(of: GrantPayload.self, body) { $0.model() }
    // The snapshotter reads each audit event's activityDateTime.
    readPage(of: DirectoryAuditPayload.self, body) { $0.activityDateTime.flatMap(GraphTimestamp.parse) }

    let response = HTTPResponse(status: 400, headers: HTTPHeaders([("date", "Mon, 23 Nov 2026 02:17:00 GMT")]), body: body)
    _ = GraphError(method: "GET", path: "/users", response: response, clientRequestId: "fuzz").description

    let text = String(decoding: body, as: UTF8.self)
    if let date = GraphTimestamp.parse(text) {
        // Stored timestamps are written back with format(); a parsed value must survive it.
        _ = GraphTimestamp.format(date)
    }
    // The prefetch hint scans raw page bytes before any decoding.
    _ = NextLinkScan.find(in: body)
    // A header value, never long; DateFormatter is slow enough to starve the JSON paths on big inputs.
    if size <= 64 { _ = Backoff.parseRetryAfter(text) }
    return 0
}

/// Decodes `body` as one page the way `GraphClient.forEachPage` does, then turns each item into the model.
private func readPage<Item: Decodable, Model>(of _: Item.Type, _ body: Data, _ model: (Item) throws -> Model) {
    let page: GraphPage<Item>
    do {
        page = try JSONDecoder().decode(GraphPage<Item>.self, from: body)
    } catch {
        _ = DecodingErrorText.describe(error)
        return
    }
    for item in page.value {
        do { _ = try model(item) } catch { _ = "\(error)" }
    }
}
