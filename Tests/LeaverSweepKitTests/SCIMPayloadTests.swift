import Foundation
import Testing
@testable import LeaverSweepKit

/// The pure parts of the SCIM client: filters, escaping, decoding.
@Suite struct SCIMPayloadTests {
    @Test(arguments: [
        (SCIMMatch.userName, "alice@contoso.com", #"userName eq "alice@contoso.com""#),
        (SCIMMatch.externalId, "6f1c", #"externalId eq "6f1c""#),
        (SCIMMatch.email, "a@b.c", #"emails.value eq "a@b.c""#),
        (SCIMMatch.userName, #"o"brien\"#, #"userName eq "o\"brien\\""#),
        (SCIMMatch.userName, "line\nbreak\u{1}", #"userName eq "line\nbreak\u0001""#),
    ])
    func filterWritesTheValueAsAJSONString(match: SCIMMatch, value: String, filter: String) {
        #expect(match.filter(for: value) == filter)
    }

    @Test func filterValueRoundTripsThroughAJSONParser() throws {
        for value in [#"\"#, #"""#, #"a\"b"#, "tab\there", "Zoë 山田", "\u{7f}\u{1f}"] {
            let literal = String(SCIMMatch.userName.filter(for: value).dropFirst("userName eq ".count))
            let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
            #expect(parsed == [value])
        }
    }

    @Test func percentEncodingLeavesOnlyUnreservedCharacters() {
        #expect(SCIMClient.percentEncoded(#"userName eq "a&b=c/d?e#f+g%h é""#)
            == "userName%20eq%20%22a%26b%3Dc%2Fd%3Fe%23f%2Bg%25h%20%C3%A9%22")
        #expect(SCIMClient.percentEncoded("AZaz09-._~") == "AZaz09-._~")
    }

    @Test(arguments: [
        (#"{"id":"u1","userName":"a","active":true}"#, Optional(true), true),
        (#"{"id":"u1","userName":"a","active":false}"#, Optional(false), false),
        (#"{"id":"u1","userName":"a","active":"False"}"#, Optional(false), false),
        (#"{"id":"u1","userName":"a","active":null}"#, nil, true),
        (#"{"id":"u1","userName":"a"}"#, nil, true),
    ])
    func anAccountWithoutActiveCountsAsActive(json: String, active: Bool?, isActive: Bool) throws {
        let user = try JSONDecoder().decode(SCIMUser.self, from: Data(json.utf8))
        #expect(user.active == active)
        #expect(user.isActive == isActive)
    }

    @Test func decodesTheAttributesLeaverSweepUsesAndIgnoresTheRest() throws {
        let json = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","externalId":"701984","userName":"bjensen@example.com","name":{"givenName":"Barbara"},"displayName":"Babs Jensen","emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"type":"home"},{"value":"babs@jensen.org","type":"home"}],"meta":{"resourceType":"User","version":"W\/\"3694e05e9dff591\""}}"#
        let user = try JSONDecoder().decode(SCIMUser.self, from: Data(json.utf8))
        #expect(user == SCIMUser(id: "2819c223", userName: "bjensen@example.com", externalId: "701984", active: nil,
                                 emails: ["bjensen@example.com", "babs@jensen.org"], displayName: "Babs Jensen"))
    }

    @Test func readsTheErrorBodyWithAStringOrNumericStatus() {
        let rfc = Data(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"mutability","detail":"Attribute 'id' is readOnly","status":"400"}"#.utf8)
        #expect(SCIMErrorDetail.parse(rfc) == SCIMErrorDetail(status: "400", scimType: "mutability", detail: "Attribute 'id' is readOnly"))
        let numeric = Data(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":404}"#.utf8)
        #expect(SCIMErrorDetail.parse(numeric) == SCIMErrorDetail(status: "404"))
        #expect(SCIMErrorDetail.parse(Data("<html>oops</html>".utf8)) == nil)
        #expect(SCIMErrorDetail.parse(Data(#"{"error":"graph-like"}"#.utf8)) == nil)
    }
}
