import Foundation

/// The subject line: the whole report at a glance, for an inbox list.
///
/// `[LeaverSweep] contoso: 3 new, 5 open, 2 fixed — 4 actions applied, 1 failed`. Only the tenant name can bring
/// non-ASCII text in; the em dash and any such name are RFC 2047-encoded by `MailMessage`.
public enum ReportSubject {
    public static func line(for report: RunReport) -> String {
        line(for: ReportDigest(report: report, now: GraphTimestamp.parse(report.run.startedAt) ?? Date(timeIntervalSince1970: 0)))
    }

    public static func line(for digest: ReportDigest) -> String {
        let header = digest.header
        let counts = digest.counts
        var prefix = "[LeaverSweep] \(UntrustedText.clean(header.tenantShortName, limit: 63))"
        if header.isReportOnly { prefix += " (report only)" }

        var state: [String] = []
        if digest.hasHistory { state.append("\(counts.new) new") }
        state.append("\(counts.open) open")
        if digest.hasHistory { state.append("\(counts.fixed) fixed") }

        let actions: String
        if header.isReportOnly {
            actions = "\(counts.planned) \(plural(counts.planned, "action")) planned"
        } else {
            actions = "\(counts.applied) \(plural(counts.applied, "action")) applied, \(counts.failed) failed"
        }

        if header.runFailed {
            return "\(prefix): RUN FAILED — \(state.joined(separator: ", ")), \(actions)"
        }
        if digest.guardTripped {
            // The one night an admin must read: nothing was written on purpose.
            return "\(prefix): GUARD TRIPPED, nothing written — \(state.joined(separator: ", ")), \(counts.planned) \(plural(counts.planned, "action")) held back"
        }
        // Findings of excluded accounts are reported but are not drift (the digest never counts them as new or open).
        // An app that could not be checked or has stalled provisioning is news even on a night without drift.
        let problems = digest.appsWithProblems.count
        let appNote = problems == 0 ? "" : ", \(problems) \(plural(problems, "app")) need\(problems == 1 ? "s" : "") attention"
        if counts.findings - counts.excluded == 0 && counts.fixed == 0 {
            return "\(prefix): no drift\(appNote)"
        }
        return "\(prefix): \(state.joined(separator: ", ")) — \(actions)\(appNote)"
    }

    /// The first DNS label of the tenant (`contoso` for `contoso.onmicrosoft.com`), or the whole tenant id when it
    /// is a GUID (a GUID's first group means nothing to a reader).
    public static func tenantShortName(_ tenant: String) -> String {
        let trimmed = tenant.trimmingCharacters(in: .whitespaces)
        if UUID(uuidString: trimmed) != nil { return trimmed }
        let label = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? trimmed
        return label.isEmpty ? trimmed : label
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        count == 1 ? noun : noun + "s"
    }
}
