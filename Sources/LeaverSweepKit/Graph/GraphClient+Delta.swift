import Foundation
import LeaverSweepCore

/// One entry of a delta page: the object's selected properties, or a removal marker.
struct DeltaEntry<Payload: Decodable>: Decodable {
    struct Removed: Decodable { var reason: String? }

    var payload: Payload
    var id: String
    /// Set when the object left the collection (`changed`: soft-deleted, `deleted`: gone for good).
    var removed: Removed?

    private enum CodingKeys: String, CodingKey { case id, removed = "@removed" }

    init(from decoder: Decoder) throws {
        let keyed = try decoder.container(keyedBy: CodingKeys.self)
        id = try keyed.decode(String.self, forKey: .id)
        removed = try keyed.decodeIfPresent(Removed.self, forKey: .removed)
        payload = try Payload(from: decoder)
    }
}

/// Graph no longer knows the sync state behind a delta link (expired after 7 days, or reset): read everything again.
struct DeltaLinkRejected: Error, CustomStringConvertible {
    var collection: String
    var reason: String
    var description: String { "the stored delta link for \(collection) was rejected (\(reason)); reading the full collection instead" }
}

private struct DeltaPage<Item: Decodable>: Decodable {
    var value: [Item]
    var nextLink: String?
    var deltaLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
        case deltaLink = "@odata.deltaLink"
    }
}

extension GraphClient {
    /// Follows a delta round from `pathOrLink` (a first `…/delta?…` call or a stored deltaLink) through its
    /// nextLinks, handing each page to `body`, and returns the round's new deltaLink.
    ///
    /// Throws `DeltaLinkRejected` when Graph answers 410 Gone or `syncStateNotFound` / `resyncRequired`.
    func readDelta<Item: Decodable>(_ pathOrLink: String, collection: String, as _: Item.Type,
                                    _ body: ([DeltaEntry<Item>]) throws -> Void) throws -> String {
        var next = pathOrLink
        var seen = Set<String>()
        var pages = 0
        while true {
            pages += 1
            guard pages <= Self.maximumPages else {
                throw RunFailure.unexpectedResponse("Graph kept paging the \(collection) delta past \(Self.maximumPages) pages; stopping")
            }
            let response: GraphResponse
            do {
                response = try send("GET", next)
            } catch RunFailure.graph(let error) where Self.isDeltaRejection(error.info) {
                throw DeltaLinkRejected(collection: collection, reason: "HTTP \(error.info.httpStatus ?? 0) \(error.info.code ?? "")")
            }
            let page: DeltaPage<DeltaEntry<Item>>
            do {
                page = try JSONDecoder().decode(DeltaPage<DeltaEntry<Item>>.self, from: response.body)
            } catch {
                throw RunFailure.unexpectedResponse("Graph's \(collection) delta returned a page LeaverSweep could not read (request-id \(response.requestId ?? "none")): \(DecodingErrorText.describe(error))")
            }
            try body(page.value)
            if let deltaLink = page.deltaLink {
                _ = try resolve(deltaLink)  // stored and followed tomorrow: it must point at Graph too
                return deltaLink
            }
            guard let link = page.nextLink else {
                throw RunFailure.unexpectedResponse("Graph's \(collection) delta page had neither @odata.nextLink nor @odata.deltaLink (request-id \(response.requestId ?? "none"))")
            }
            guard seen.insert(link).inserted else {
                throw RunFailure.unexpectedResponse("Graph returned the same @odata.nextLink twice in the \(collection) delta; stopping to avoid a loop")
            }
            next = link
        }
    }

    static func isDeltaRejection(_ info: GraphErrorInfo) -> Bool {
        info.httpStatus == 410 || ["syncStateNotFound", "resyncRequired", "syncStateInvalid"].contains(info.code ?? "")
    }
}
