import Foundation

/// One request inside a `POST /v1.0/$batch` body, validated (graph.md 4).
struct BatchItem {
    let id: String
    let method: String
    /// Relative to `/v1.0`, with a leading slash added when the client left it out.
    let url: String
    let headers: [HTTPHeader]
    let body: Data
    let dependsOn: [String]
}

/// Parses and validates a JSON batch body. Any violation fails the whole batch with 400, as Graph does,
/// before a single inner request runs.
enum BatchPayload {
    static let maxRequests = 20

    static func parse(_ body: Data) throws -> [BatchItem] {
        guard let object = try? JSONSerialization.jsonObject(with: body), let root = object as? [String: Any],
              let requests = root["requests"] as? [Any] else {
            throw invalid("Invalid batch payload format: the body must be a JSON object with a 'requests' array.")
        }
        guard !requests.isEmpty else { throw invalid("Invalid batch payload format: 'requests' is empty.") }
        guard requests.count <= maxRequests else {
            throw invalid("The batch contains \(requests.count) requests; at most \(maxRequests) are allowed in one batch.")
        }
        var items: [BatchItem] = []
        var seen = Set<String>()
        for entry in requests {
            let item = try parseItem(entry)
            // Request ids are not case-sensitive.
            guard seen.insert(item.id.lowercased()).inserted else {
                throw invalid("Batch request ids must be unique; id '\(item.id)' appears more than once.")
            }
            items.append(item)
        }
        for item in items {
            for dependency in item.dependsOn where !seen.contains(dependency.lowercased()) {
                throw invalid("Request id : \(item.id) depends on id '\(dependency)', which is not in the batch.")
            }
        }
        _ = try executionOrder(items)
        return items
    }

    /// Requests in array order, each moved after the requests it depends on; a cycle is a 400.
    static func executionOrder(_ items: [BatchItem]) throws -> [Int] {
        var done = Set<String>()
        var order: [Int] = []
        while order.count < items.count {
            guard let next = items.indices.first(where: { index in
                !order.contains(index) && items[index].dependsOn.allSatisfy { done.contains($0.lowercased()) }
            }) else {
                throw invalid("The dependsOn references of the batch form a cycle.")
            }
            order.append(next)
            done.insert(items[next].id.lowercased())
        }
        return order
    }

    private static func parseItem(_ entry: Any) throws -> BatchItem {
        guard let request = entry as? [String: Any], let id = request["id"] as? String, !id.isEmpty,
              let method = (request["method"] as? String)?.uppercased(), !method.isEmpty,
              let url = request["url"] as? String, !url.isEmpty else {
            throw invalid("Invalid batch payload format: every request needs string 'id', 'method' and 'url' properties.")
        }
        let lowered = url.lowercased()
        guard !lowered.hasPrefix("http:") && !lowered.hasPrefix("https:") && !lowered.hasPrefix("//") else {
            throw invalid("Request id : \(id) has an absolute url; batch request urls are relative to the version, e.g. '/users'.")
        }
        var headers: [HTTPHeader] = []
        if let raw = request["headers"] {
            guard let object = raw as? [String: Any] else { throw invalid("Request id : \(id) has 'headers' that are not a JSON object.") }
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let text = value as? String else { throw invalid("Request id : \(id) has a header '\(name)' that is not a string.") }
                headers.append(HTTPHeader(name: name, value: text))
            }
        }
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value
        let body = try bodyData(request["body"], id: id, contentType: contentType)
        if ["POST", "PATCH", "PUT"].contains(method), body == nil || contentType == nil {
            throw invalid("Write request id : \(id) does not contain Content-Type header or body.")
        }
        var dependsOn: [String] = []
        if let raw = request["dependsOn"] {
            guard let list = raw as? [String] else { throw invalid("Request id : \(id) has a 'dependsOn' that is not an array of ids.") }
            dependsOn = list
        }
        return BatchItem(id: id, method: method, url: url.hasPrefix("/") ? url : "/" + url, headers: headers,
                         body: body ?? Data(), dependsOn: dependsOn)
    }

    /// A JSON object or array is sent as JSON; a string is a base64 value (binary bodies), as Graph documents.
    private static func bodyData(_ raw: Any?, id: String, contentType: String?) throws -> Data? {
        guard let raw, !(raw is NSNull) else { return nil }
        if raw is [String: Any] || raw is [Any] { return GraphJSON.data(raw) }
        guard let text = raw as? String else { throw invalid("Request id : \(id) has a 'body' that is neither JSON nor base64.") }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { throw invalid("Request id : \(id) has a string 'body' that is not base64.") }
        return data
    }

    private static func invalid(_ message: String) -> GraphError {
        GraphError.badRequest(message, code: "BadRequest")
    }
}
