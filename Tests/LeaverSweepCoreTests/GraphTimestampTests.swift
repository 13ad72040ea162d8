import Foundation
import Testing
@testable import LeaverSweepCore

@Suite struct GraphTimestampTests {
    @Test(arguments: [
        ("2026-11-20T10:00:00Z", 1_795_168_800.0),
        ("2026-11-20T10:00:00.5Z", 1_795_168_800.5),
        ("2026-11-20T10:00:00.1234567Z", 1_795_168_800.1234567),
        ("2026-11-20T11:00:00+01:00", 1_795_168_800.0),
        ("2026-11-20T05:30:00-04:30", 1_795_168_800.0),
        ("2026-11-20T10:00:00", 1_795_168_800.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
    ])
    func parsesGraphTimestamps(text: String, epoch: Double) throws {
        let date = try #require(GraphTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.000_01)
    }

    @Test(arguments: ["", "2026-11-20", "2026-13-01T00:00:00Z", "2026-11-20T10:00Z", "2026-11-20T10:00:00.Z", "2026-11-20T10:00:00Zjunk", "not a date", "2026-11-20T25:00:00Z"])
    func rejectsMalformedTimestamps(text: String) {
        #expect(GraphTimestamp.parse(text) == nil)
    }

    @Test func formatsWithMillisecondsInUTCAndRoundTrips() throws {
        let date = Date(timeIntervalSince1970: 1_795_168_800.123)
        #expect(GraphTimestamp.format(date) == "2026-11-20T10:00:00.123Z")
        #expect(GraphTimestamp.formatForFilter(date) == "2026-11-20T10:00:00Z")
        let parsed = try #require(GraphTimestamp.parse(GraphTimestamp.format(date)))
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001)
    }
}
