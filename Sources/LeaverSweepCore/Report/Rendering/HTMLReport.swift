import Foundation

/// The HTML part of the report email: a document that renders the same in Outlook (Word engine), Gmail and
/// Apple Mail.
///
/// Email clients are not browsers, so the layout is what survives all of them: nested tables with inline CSS, a
/// 720 px centred column, a system font stack, no scripts, no images, no external fonts or links; the small
/// `<style>` block only holds fallbacks. Every string from the directory goes through `HTMLText.safe`.
///
/// Size is part of the layout: Gmail clips bodies over about 102 KB. Lists are capped and findings are detailed
/// once (`ReportListing`), so even a first night with 1,000 findings renders well under 100 KB.
public enum HTMLReport {
    public static func render(_ report: RunReport, now: Date) -> String {
        render(ReportDigest(report: report, now: now))
    }

    /// Bodies above this many bytes are rendered again with shorter lists: Gmail clips at about 102 KB.
    static let sizeGuard = 90_000

    public static func render(_ digest: ReportDigest) -> String {
        var listing = ReportListing(digest)
        var html = render(digest, listing: listing)
        // Only hostile or extreme directory strings get here: the row budget keeps real reports far below.
        while html.utf8.count > sizeGuard, listing.limit > 1 {
            listing = ReportListing(digest, limit: listing.limit / 2)
            html = render(digest, listing: listing)
        }
        return html
    }

    static func render(_ digest: ReportDigest, listing: ReportListing) -> String {
        var listing = listing
        let title = "LeaverSweep report — \(HTMLText.safe(digest.header.tenantShortName)) — run \(digest.header.runId)"
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light">
        <meta name="supported-color-schemes" content="light">
        <title>\(title)</title>
        <style>
        body { margin: 0; padding: 0; -webkit-text-size-adjust: 100%; }
        table { mso-table-lspace: 0pt; mso-table-rspace: 0pt; }
        code { font-family: Consolas, Menlo, monospace; }
        @media only screen and (max-width: 600px) { .ls-pad { padding-left: 12px !important; padding-right: 12px !important; } }
        </style>
        </head>
        <body style="margin:0;padding:0;background-color:\(Palette.page);">
        <div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">\(HTMLText.safe(ReportSubject.line(for: digest), limit: 300))</div>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:\(Palette.page);">
        <tr><td align="center" style="padding:24px 8px;">
        <table role="presentation" width="720" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:720px;background-color:#ffffff;border:1px solid \(Palette.rule);font-family:\(Palette.fontStack);font-size:14px;line-height:20px;color:\(Palette.text);">

        """
        // Work for a person comes right after the numbers, app by app next, before the long lists; each list is capped and each
        // finding's detail is shown once (see `ReportListing`), so the whole report stays far below Gmail's clip.
        html += header(digest)
        html += summary(digest)
        html += needsPerson(digest, listing: &listing)
        html += apps(digest, listing: &listing)
        html += changes(digest, listing: &listing)
        html += actions(digest, listing: &listing)
        html += excluded(digest, listing: &listing)
        html += trend(digest)
        html += footer(digest)
        html += """
        </table>
        </td></tr>
        </table>
        </body>
        </html>

        """
        return html
    }

    // MARK: Header, summary, trend, footer

    static func header(_ digest: ReportDigest) -> String {
        let header = digest.header
        let outcome = header.runFailed
            ? badge("run failed", Palette.failed) : badge(HTMLText.safe(header.outcome, limit: 40), Palette.applied)
        let mode = header.isReportOnly
            ? badge("\(header.mode.rawValue) · report only", Palette.flagged) : badge("enforce", Palette.neutral)
        var html = """
        <tr><td class="ls-pad" style="background-color:\(Palette.band);padding:20px 32px;">
        <div style="font-size:12px;line-height:16px;letter-spacing:1px;text-transform:uppercase;color:#bfdbfe;">LeaverSweep drift report</div>
        <div style="font-size:24px;line-height:32px;font-weight:bold;color:#ffffff;">\(HTMLText.safe(header.tenant))</div>
        <div style="font-size:13px;line-height:20px;color:#dbeafe;">Run \(header.runId) · \(HTMLText.safe(header.startedAt, limit: 40))</div>
        </td></tr>
        <tr><td class="ls-pad" style="padding:16px 32px 0 32px;">
        <table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td style="padding-right:8px;">\(outcome)</td><td>\(mode)</td></tr></table>
        <p style="margin:8px 0 0 0;color:\(Palette.muted);">Scanned \(header.usersScanned) users (\(header.disabledUsers) disabled) and \(header.devicesScanned) devices.</p>
        </td></tr>

        """
        if header.runFailed {
            let sentence = header.failure.map { HTMLText.safe($0, limit: 400) } ?? "No reason was recorded."
            html += callout(
                "<strong>The run failed:</strong> \(sentence)<br>The lists below show what was found and done before it stopped.",
                Palette.failedCallout
            )
        }
        if !header.warnings.isEmpty {
            let (shown, hidden) = ReportListing.capped(header.warnings, limit: ReportListing.warningLimit)
            var items = shown.map { "<li style=\"margin:0 0 4px 0;\">\(HTMLText.safe($0, limit: 400))</li>" }.joined()
            if hidden > 0 { items += "<li style=\"margin:0;\">\(HTMLText.escape(ReportListing.moreWarnings(hidden)))</li>" }
            html += callout("<strong>Warnings</strong><ul style=\"margin:4px 0 0 0;padding-left:20px;\">\(items)</ul>", Palette.warningCallout)
        }
        return html
    }

    static func summary(_ digest: ReportDigest) -> String {
        let counts = digest.counts
        let actionCell = digest.header.isReportOnly
            ? (counts.planned, "planned", Palette.text)
            : (counts.applied, "applied", counts.applied > 0 ? Palette.applied.foreground : Palette.text)
        let cells: [(String, String, String)] = [
            (digest.hasHistory ? "\(counts.new)" : "–", "new", counts.new > 0 ? Palette.new.foreground : Palette.text),
            ("\(counts.open)", "open", counts.open > 0 ? Palette.flagged.foreground : Palette.text),
            (digest.hasHistory ? "\(counts.fixed)" : "–", "fixed", counts.fixed > 0 ? Palette.applied.foreground : Palette.text),
            ("\(actionCell.0)", actionCell.1, actionCell.2),
            ("\(counts.failed)", "failed", counts.failed > 0 ? Palette.failed.foreground : Palette.text),
            ("\(counts.needsPerson)", "need a person", counts.needsPerson > 0 ? Palette.person.foreground : Palette.text),
        ]
        let html = cells.map { number, label, colour in
            """
            <td width="16%" align="center" valign="top" style="width:16%;padding:12px 4px;background-color:\(Palette.tint);border:1px solid \(Palette.rule);">\
            <div style="font-size:30px;line-height:36px;font-weight:bold;color:\(colour);">\(number)</div>\
            <div style="font-size:11px;line-height:14px;letter-spacing:0.5px;text-transform:uppercase;color:\(Palette.muted);">\(label)</div></td>
            """
        }.joined(separator: "\n")
        // An app that could not be checked is not "nothing found": say so where no one scrolls past it.
        return """
        <tr><td class="ls-pad" style="padding:16px 26px 0 26px;">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="6" border="0" style="border-collapse:separate;"><tr>
        \(html)
        </tr></table>
        </td></tr>

        """ + appProblemCallout(digest)
    }

    static func trend(_ digest: ReportDigest) -> String {
        guard !digest.trend.isEmpty else { return "" }
        let maximum = max(1, digest.trend.map(\.openFindings).max() ?? 1)
        let chartHeight = 80
        var bars = ""
        var labels = ""
        for bar in digest.trend {
            let height = bar.openFindings == 0 ? 2 : max(3, (chartHeight * bar.openFindings + maximum / 2) / maximum)
            let colour = bar.openFindings == 0 ? Palette.rule : (bar.isThisRun ? Palette.band : Palette.bar)
            bars += """
            <td width="36" height="\(chartHeight + 18)" align="center" valign="bottom" style="padding:0 2px;">\
            <div style="font-size:11px;line-height:14px;\(bar.isThisRun ? "font-weight:bold;" : "")">\(bar.openFindings)</div>\
            <table role="presentation" width="24" cellpadding="0" cellspacing="0" border="0" align="center"><tr>\
            <td height="\(height)" style="height:\(height)px;background-color:\(colour);font-size:0;line-height:0;">&nbsp;</td>\
            </tr></table></td>

            """
            labels += """
            <td align="center" style="padding:4px 2px 0 2px;border-top:1px solid \(Palette.muted);font-size:11px;line-height:14px;color:\(Palette.muted);\(bar.isThisRun ? "font-weight:bold;" : "")">\(HTMLText.safe(bar.label, limit: 10))</td>

            """
        }
        let chart = """
        <table role="presentation" cellpadding="0" cellspacing="0" border="0">
        <tr>
        \(bars)</tr>
        <tr>
        \(labels)</tr>
        </table>
        """
        return section("Open findings, last \(digest.trend.count) \(digest.trend.count == 1 ? "run" : "runs")", note: "This run is the dark bar.", chart)
    }

    static func footer(_ digest: ReportDigest) -> String {
        """
        <tr><td class="ls-pad" style="padding:24px 32px 24px 32px;">
        <p style="margin:0;padding-top:16px;border-top:1px solid \(Palette.rule);font-size:12px;line-height:18px;color:\(Palette.muted);">\
        See this report again with <code style="font-family:Consolas,Menlo,monospace;color:\(Palette.text);">\(HTMLText.escape(digest.footer.reportCommand))</code> \
        (add <code style="font-family:Consolas,Menlo,monospace;">--format text|json|html|csv</code>). \
        The attached CSV lists every finding with full values. \
        JSON report schema version \(digest.footer.schemaVersion). Rendered \(HTMLText.escape(digest.footer.generatedAt)) by LeaverSweep.</p>
        </td></tr>

        """
    }
}
