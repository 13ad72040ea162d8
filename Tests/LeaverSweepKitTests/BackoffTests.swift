import Foundation
import Testing
@testable import LeaverSweepKit

@Suite struct BackoffTests {
    @Test func readsSecondsAndHTTPDates() throws {
        #expect(Backoff.parseRetryAfter(" 7 ") == 7)
        let future = Date(timeIntervalSinceNow: 120)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let seconds = try #require(Backoff.parseRetryAfter(formatter.string(from: future)))
        #expect(seconds > 100 && seconds <= 120)
    }

    @Test(arguments: ["", "-3", "soon", "Wed, 21 Oct 2015 07:28:00 GMT\u{1F600}", String(repeating: "9 ", count: 100) + "x"])
    func refusesWhatIsNotARetryAfter(header: String) {
        #expect(Backoff.parseRetryAfter(header) == nil)
    }

    @Test func capsAHugeRetryAfter() {
        #expect(Backoff.delay(retryAfter: "86400", attempt: 1) <= Backoff.maximumRetryAfter + 0.25)
    }
}
