import Foundation

/// What both parts of the email show of the per-app view, so the HTML and plain-text "Apps" sections list the same
/// apps and rows and say the same sentences. Sentences here are raw: directory strings (app names, owners, the
/// app's or Entra's error text) are escaped by each renderer for its medium.
extension ReportListing {
    /// The apps of the "Apps" section after the row caps.
    struct AppListing {
        /// Apps with a row or a problem to show, in the digest's (alphabetical) order, with the rows shown.
        var shown: [(section: ReportDigest.AppSection, entries: ArraySlice<ReportDigest.Entry>)] = []
        /// Rows left out: the CSV has them all.
        var hiddenRows = 0
        /// Apps with a problem left out when more than `limit` have one (the JSON report has every status).
        var hiddenProblemApps = 0
        /// Apps checked with nothing found, named on one line: "could not check" must never look like "nothing found",
        /// so an app that was checked says so.
        var quiet: [ReportDigest.AppSection] = []
    }

    /// Rows cut after `limit` in all, like every list; an app with a problem is shown even when its rows are cut
    /// (its heading still counts users and open rows), up to `limit` such apps.
    static func cappedApps(_ sections: [ReportDigest.AppSection], limit: Int) -> AppListing {
        var listing = AppListing()
        var rowsLeft = limit
        var problemsLeft = limit
        for section in sections {
            if section.entries.isEmpty, section.problems.isEmpty {
                listing.quiet.append(section)
                continue
            }
            let take = min(rowsLeft, section.entries.count)
            rowsLeft -= take
            listing.hiddenRows += section.entries.count - take
            var showProblem = false
            if !section.problems.isEmpty {
                showProblem = problemsLeft > 0
                problemsLeft -= 1
            }
            if take > 0 || showProblem {
                listing.shown.append((section, section.entries.prefix(take)))
            } else if !section.problems.isEmpty {
                listing.hiddenProblemApps += 1
            }
        }
        return listing
    }

    /// The heading's counts: "2 users · 1 open".
    static func appCounts(_ section: ReportDigest.AppSection) -> String {
        "\(section.userCount) \(section.userCount == 1 ? "user" : "users") · \(section.openCount) open"
    }

    /// The summary's sentence on app problems, e.g. "2 apps could not be checked or have stalled provisioning";
    /// nil when every app was checked and no provisioning job is stalled.
    static func appProblemSentence(_ digest: ReportDigest) -> String? {
        let apps = digest.appsWithProblems
        guard !apps.isEmpty else { return nil }
        let healths = apps.flatMap(\.problems).map(\.health)
        let unchecked = healths.contains(.notChecked)
        let stalled = healths.contains { $0 == .quarantine || $0 == .failing || $0 == .paused }
        let one = apps.count == 1
        let what: String
        switch (unchecked, stalled) {
        case (true, true): what = one ? "could not be checked or has stalled provisioning" : "could not be checked or have stalled provisioning"
        case (true, false): what = "could not be checked"
        default: what = one ? "has stalled provisioning" : "have stalled provisioning"
        }
        return "\(apps.count) \(one ? "app" : "apps") \(what)"
    }

    /// How many problem apps the summary names before "and N more".
    static let summaryAppNames = 5

    /// "not checked", "in quarantine", or both: what is wrong with an app, for the summary's list of names.
    static func problemLabel(_ section: ReportDigest.AppSection) -> String {
        var labels: [String] = []
        for problem in section.problems where !labels.contains(problem.health.label) {
            labels.append(problem.health.label)
        }
        return labels.joined(separator: ", ")
    }

    /// What a status means for the leavers, for a problem: why the admin must act on the app, not the user.
    static func consequence(_ status: AppStatus) -> String? {
        switch status.health {
        case .ok: return nil
        case .notChecked: return "Accounts are shown as last seen; nothing is written to this app until it answers."
        case .quarantine, .failing, .paused: return "Entra deprovisions nobody in this app until the job runs again."
        }
    }

    /// The status's facts after its label, raw: leavers checked (ours), since when (for a problem), owner, detail.
    static func facts(_ status: AppStatus) -> (ours: [String], since: String?, owner: String?, detail: String?) {
        var ours: [String] = []
        if let checked = status.usersChecked { ours.append("\(checked) \(checked == 1 ? "leaver" : "leavers") checked") }
        let since = status.isProblem ? status.since.map(readable) : nil
        return (ours, since, status.owner, status.detail)
    }

    /// The next step of an app row, or what LeaverSweep did: "deactivated the account tonight".
    static func appStep(_ entry: ReportDigest.Entry, appliedTonight: Bool) -> String? {
        let finding = entry.finding
        switch finding.status {
        case .applied:
            guard let action = finding.action else { return appliedTonight ? "Applied tonight." : "Applied on an earlier run." }
            if appliedTonight { return "LeaverSweep \(action.pastTense) tonight." }
            let day = finding.appliedAt.flatMap(GraphTimestamp.parse).map { " (\(GraphTimestamp.format($0).prefix(10)))" } ?? ""
            return "LeaverSweep \(action.pastTense) on an earlier run\(day)."
        case .planned:
            return finding.action.map { "Planned, not sent: \($0.infinitive)." }
        case .failed, .flagged, .excluded:
            return finding.humanTask.map { "To do: \($0.label)." }
        }
    }

    /// `2026-11-20T02:00:00.000Z` → `2026-11-20 02:00 UTC`; stored text that does not parse is kept (and escaped by
    /// the renderer).
    static func readable(_ timestamp: String) -> String {
        GraphTimestamp.parse(timestamp).map(GraphTimestamp.readable) ?? timestamp
    }
}

extension AppStatus.Source {
    /// The kind of check, in words.
    var label: String {
        switch self {
        case .scim: return "SCIM app"
        case .manual: return "manual app"
        case .entraProvisioning: return "Entra provisioning job"
        }
    }
}

extension AppStatus.Health {
    /// The check's result, in words.
    var label: String {
        switch self {
        case .ok: return "ok"
        case .notChecked: return "not checked"
        case .quarantine: return "in quarantine"
        case .failing: return "failing"
        case .paused: return "paused"
        }
    }
}

extension ActionKind {
    /// What the write does, for "Planned, not sent: …".
    var infinitive: String {
        switch self {
        case .revokeSessions: return "revoke the sessions"
        case .disableDevice: return "disable the device"
        case .deactivateAppAccount: return "deactivate the account"
        case .removeAppRoleAssignment: return "remove the assignment"
        case .removeDelegatedGrant: return "revoke the grant"
        }
    }

    /// What the write did, for "LeaverSweep … tonight".
    var pastTense: String {
        switch self {
        case .revokeSessions: return "revoked the sessions"
        case .disableDevice: return "disabled the device"
        case .deactivateAppAccount: return "deactivated the account"
        case .removeAppRoleAssignment: return "removed the assignment"
        case .removeDelegatedGrant: return "revoked the grant"
        }
    }
}

extension ReportedFinding {
    /// Who refused the write, for "… said HTTP 403": a SCIM write goes to the app, the others to Graph.
    var answeredBy: String { action?.isGraphWrite == false ? "The app" : "Graph" }
}
