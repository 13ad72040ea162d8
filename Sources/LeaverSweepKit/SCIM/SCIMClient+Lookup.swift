import Foundation

extension SCIMClient {
    /// The app's accounts whose `match` attribute equals `value`, read page by page.
    ///
    /// Sends `GET /Users?filter=<attribute> eq "<value>"&startIndex=…&count=…` (RFC 7644 §3.4.2), the value
    /// escaped as a JSON string and the whole filter percent-encoded. Only accounts that really carry the
    /// value are returned, compared as RFC 7643 defines the attribute; if the app returns an account that
    /// does not carry it even ignoring case, the app did not apply the filter and the lookup fails rather
    /// than treat a stranger's account as this person's.
    ///
    /// Paging is bounded: at most `maximumPages` pages, and an app that answers a page with accounts it
    /// already sent, or with a different `startIndex` than asked, is reported rather than followed.
    public func findUsers(matching match: SCIMMatch, value: String) throws -> [SCIMUser] {
        let filter = match.filter(for: value)
        let operation = "GET /Users?filter=\(filter)"
        guard !value.isEmpty else {
            throw SCIMError(baseURL: baseURL, operation: operation,
                            failure: .invalidRequest("refusing to look up an empty \(match.attributePath)"))
        }
        var found: [SCIMUser] = []
        var seenIds = Set<String>()
        var startIndex = 1
        for _ in 1...Self.maximumPages {
            let path = "/Users?filter=\(Self.percentEncoded(filter))&startIndex=\(startIndex)&count=\(pageSize)"
            let response = try send("GET", path: path, operation: operation)
            let page: SCIMListResponse
            do {
                page = try JSONDecoder().decode(SCIMListResponse.self, from: response.body)
            } catch {
                throw SCIMError(baseURL: baseURL, operation: operation,
                                failure: .malformedResponse(sanitized(DecodingErrorText.describe(error))), status: response.status)
            }
            if let answered = page.startIndex, answered != startIndex, !(startIndex == 1 && answered == 0) {
                throw unexpected("asked for startIndex \(startIndex) but the app answered startIndex \(answered); it does not page as RFC 7644 describes",
                                 response, operation)
            }
            for user in page.resources {
                guard seenIds.insert(user.id).inserted else {
                    throw unexpected("the app returned account \(user.id) again at startIndex \(startIndex); its paging does not advance",
                                     response, operation)
                }
                guard match.looselyMatches(user, value: value) else {
                    throw unexpected("the app returned account \(user.id), which does not match the filter; it may not support filtering on \(match.attributePath)",
                                     response, operation)
                }
                if match.matches(user, value: value) { found.append(user) }
            }
            // An empty page ends the listing even if totalResults promised more: accounts deleted between pages.
            startIndex += page.resources.count
            if page.resources.isEmpty || startIndex > page.totalResults { return found }
        }
        throw unexpected("the app kept paging past \(Self.maximumPages) pages of \(pageSize); stopping", nil, operation)
    }

    private func unexpected(_ reason: String, _ response: HTTPResponse?, _ operation: String) -> SCIMError {
        SCIMError(baseURL: baseURL, operation: operation, failure: .unexpectedResponse(sanitized(reason)), status: response?.status)
    }
}

extension SCIMClient {
    /// `GET /Users/{id}`: the account as the app has it now, or nil when the app no longer has it (404).
    ///
    /// Used for accounts found on an earlier night that tonight's lookup did not return (the leaver's UPN was
    /// renamed on leaving, say): the account may still be there and active under its old name.
    public func account(id: String) throws -> SCIMUser? {
        let operation = "GET /Users/\(sanitized(id))"
        guard !id.isEmpty else {
            throw SCIMError(baseURL: baseURL, operation: operation, failure: .invalidRequest("refusing to read an account with an empty id"))
        }
        let response: HTTPResponse
        do {
            response = try send("GET", path: "/Users/" + Self.percentEncoded(id), operation: operation)
        } catch let error as SCIMError where error.failure == .notFound {
            return nil
        }
        do {
            let user = try JSONDecoder().decode(SCIMUser.self, from: response.body)
            guard user.id == id else {
                throw SCIMError(baseURL: baseURL, operation: operation,
                                failure: .unexpectedResponse(sanitized("asked for account \(id), the app answered with \(user.id)")), status: response.status)
            }
            return user
        } catch let error as SCIMError {
            throw error
        } catch {
            throw SCIMError(baseURL: baseURL, operation: operation,
                            failure: .malformedResponse(sanitized(DecodingErrorText.describe(error))), status: response.status)
        }
    }
}
