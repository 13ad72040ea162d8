import Foundation

/// How the HTML and plain-text reports list findings, so both parts of the email show the same rows.
///
/// A nightly email must stay readable and small: Gmail clips HTML bodies over about 102 KB, hiding whatever comes
/// last (the trend, the footer). So:
/// - every list shows at most `maximum` (25) rows and ends with "…and N more — see the attached CSV"; when the
///   lists together would show more than `budget` rows, the per-list limit drops to the longest that fits (never
///   below `minimum`), so a first night with 1,000 findings stays far below the clip (about 60–70 KB);
/// - a finding that appears in several lists (a refused write is both "failed" and work for a person) has its
///   detail sentence and Graph's error shown only where it is listed first; later rows just name it.
struct ReportListing {
    static let maximum = 25
    static let minimum = 4
    static let budget = 64
    /// Warnings listed in the header; the JSON report has all of them.
    static let warningLimit = 10

    /// Rows per list in this report.
    let limit: Int
    private var detailed: Set<String> = []

    /// - Parameter limit: rows per list instead of the share of `budget` (the HTML part passes a smaller one when
    ///   hostile, very long directory strings make it too big anyway).
    init(_ digest: ReportDigest, limit: Int? = nil) {
        if let limit {
            self.limit = max(1, limit)
            return
        }
        let needs = digest.needsPerson
        // The Apps section is one list (its rows cut in all, see `cappedApps`); the apps with a problem shown
        // there are rows too.
        let appRows: Int = digest.apps.reduce(0) { $0 + $1.entries.count }
        var lengths: [Int] = [
            needs.disableInOnPremisesAD.count, needs.disableInMDM.count, needs.reEnabledDevices.count, appRows, digest.appsWithProblems.count,
            needs.failedWritesToInvestigate.count, digest.planned.count, digest.appliedEarlier.count, digest.excluded.count,
        ]
        if !digest.header.isReportOnly { lengths += [digest.failedTonight.count, digest.appliedTonight.count] }
        if digest.hasHistory, !digest.isFirstRun { lengths += [digest.newFindings.count, digest.fixedFindings.count, digest.stillOpen.count] }
        // The longest limit whose rows, over all lists, fit the budget: a quiet night shows every list whole.
        let fits = { (limit: Int) in lengths.reduce(0) { $0 + min($1, limit) } <= Self.budget }
        self.limit = (Self.minimum...Self.maximum).reversed().first(where: fits) ?? Self.minimum
    }

    /// `true` the first time a finding is listed: show its detail in full then, and only then.
    mutating func showsDetail(of entry: ReportDigest.Entry) -> Bool {
        detailed.insert(entry.finding.key).inserted
    }

    /// The rows to show, and how many are left out.
    static func capped<Row>(_ rows: [Row], limit: Int) -> (shown: ArraySlice<Row>, hidden: Int) {
        (rows.prefix(limit), max(0, rows.count - limit))
    }

    /// The note under a cut list.
    static func more(_ hidden: Int) -> String {
        "…and \(hidden) more — see the attached CSV."
    }

    /// The last line of a cut list of warnings (the CSV has findings only; the JSON report has every warning).
    static func moreWarnings(_ hidden: Int) -> String {
        "…and \(hidden) more — see the JSON report (--format json)."
    }

    /// The sentence that stands for the "New" list on the first recorded run, where every finding is new.
    static func firstRunSentence(_ digest: ReportDigest) -> String {
        let count = digest.counts.new
        let excluded = digest.counts.excluded > 0 ? " (not counting the \(digest.counts.excluded) of excluded accounts)" : ""
        let what = count == 1 ? "the 1 finding is new" : "all \(count) findings are new"
        return "This is the first recorded run: \(what)\(excluded); the other sections list them."
    }
}
