import Foundation
import GraphEmulator
import Testing
import TestSupport

/// The report email, sent by the real binary through libcurl to a real SMTP server (aiosmtpd) on loopback,
/// and read back with Python's MIME parser.
@Suite(.serialized) struct ReportEmailEndToEndTests {
    static let hostileName = #"<img src=x onerror=alert(1)> & "quotes" 'too'"#
    static let injection = "Mallory\r\nBcc: attacker@evil.example"
    static let formula = "=HYPERLINK(\"http://evil.example\",\"click\")"

    /// A generated tenant whose leavers carry hostile strings, as a directory can.
    static func hostileTenant() -> (EmulatedTenant, DriftManifest) {
        var spec = TenantSpec(now: Date())
        spec.users = 60
        spec.disabledFraction = 0.2
        spec.seed = 5
        var (tenant, manifest) = TenantGenerator.generate(spec)
        let leavers = manifest.expectedRevocations.sorted()
        if let first = tenant.users.firstIndex(where: { $0.id == leavers[0] }) { tenant.users[first].displayName = hostileName }
        if let second = tenant.users.firstIndex(where: { $0.id == leavers[1] }) { tenant.users[second].displayName = injection }
        if let device = tenant.devices.firstIndex(where: { manifest.expectedDeviceDisables.contains($0.id) }) {
            tenant.devices[device].displayName = formula
        }
        return (tenant, manifest)
    }

    @Test func mailsTheReportAsMultipartWithTextHTMLAndCSVAndEscapesDirectoryStrings() throws {
        let (tenant, _) = Self.hostileTenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr)")

        let messages = try smtp.messages()
        try #require(messages.count == 1)
        let mail = messages[0]
        #expect((mail["subject"] as? String)?.hasPrefix("[LeaverSweep] contoso: ") == true, "\(mail["subject"] ?? "")")
        #expect((mail["defects"] as? [Any])?.isEmpty == true, "the parser found MIME defects: \(mail["defects"] ?? "")")
        // Directory strings never reach headers at all (see MailMessageTests for hostile header input); this
        // guards the whole path end to end.
        #expect((mail["headerNames"] as? [String])?.contains("bcc") == false, "a directory string added a header")
        #expect((mail["headerNames"] as? [String]).map { Set(["date", "message-id", "mime-version"]).isSubset(of: $0) } == true)
        #expect((mail["to"] as? String)?.contains("ops@contoso.com") == true)

        let structure = mail["structure"] as? [String: Any]
        #expect(structure?["type"] as? String == "multipart/mixed")
        let parts = structure?["parts"] as? [[String: Any]] ?? []
        #expect(parts.first?["type"] as? String == "multipart/alternative")
        #expect(((parts.first?["parts"] as? [[String: Any]]) ?? []).map { $0["type"] as? String } == ["text/plain", "text/html"])
        #expect(parts.last?["type"] as? String == "text/csv")
        #expect(parts.last?["disposition"] as? String == "attachment")

        let html = try #require(mail["html"] as? String)
        #expect(!html.contains("<img src=x"), "raw HTML from the directory reached the report")
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external resources")
        let text = try #require(mail["text"] as? String)
        #expect(text.contains("Mallory"))

        // Cells as Excel sees them, parsed by Python's csv module.
        let rows = try #require((mail["attachments"] as? [[String: Any]])?.first?["rows"] as? [[String]])
        #expect(rows.count > 1)
        let cells = rows.flatMap { $0 }
        #expect(!cells.contains { ["=", "+", "-", "@"].contains($0.first.map(String.init) ?? "") }, "a CSV cell starts with a formula character")
        #expect(cells.contains { $0.hasPrefix("'=HYPERLINK") })
    }

    @Test func aMistypedRecipientDoesNotKeepTheReportFromEveryoneElse() throws {
        let (tenant, _) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path, rejectingNobody: true)
        night.emailTo(smtp)
        night.extraConfig = night.extraConfig.replacingOccurrences(of: "to = [", with: "to = [\"nobody@contoso.com\", ")
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr)")
        #expect(try smtp.messages().count == 1)
    }

    @Test func aMessageTheServerRefusesForGoodIsDroppedAndNeverBlocksTheQueue() throws {
        let (tenant, _) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path, rejectingNobody: true)
        night.emailTo(smtp)
        let good = night.extraConfig
        night.extraConfig = good.replacingOccurrences(of: #"to = ["identity-admins@contoso.com", "Ops Team <ops@contoso.com>"]"#, with: #"to = ["nobody@contoso.com"]"#)
        let refused = try night.run()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("dropped") && refused.stderr.contains("550"), "\(refused.stderr)")

        night.extraConfig = good
        let fixed = try night.run()
        #expect(fixed.status == 2, "\(fixed.stderr)")
        let messages = try smtp.messages()
        #expect(messages.count == 1)
        #expect((messages.first?["messageId"] as? String)?.contains("run-2.") == true, "tonight's report, not the dropped one")
    }

    @Test func aMissingSMTPPasswordIsAMailFailureNotAFailedNight() throws {
        let (tenant, manifest) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        night.extraConfig += "\nusername = \"leaversweep\"\npassword_env = \"LEAVERSWEEP_SMTP_PASSWORD\"\n"
        let result = try night.run()
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("SMTP password") && result.stderr.contains("email.password_env"))
        #expect(Set(night.effectiveWrites().revoked) == manifest.expectedRevocations, "reconciling went ahead")
    }

    @Test func aDryRunNeitherMailsNorUsesUpTomorrowsNewFindings() throws {
        let (tenant, _) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        try night.run(["--dry-run"])
        #expect(try smtp.messages().isEmpty)
        try night.run()
        let report = try night.report()
        let newKeys = (report["history"] as? [String: Any])?["newKeys"] as? [String] ?? []
        let notExcluded = try night.reportedFindings().filter { $0["status"] as? String != "excluded" }
        #expect(newKeys.count == notExcluded.count, "the first real night still sees every finding as new")
        #expect(((report["history"] as? [String: Any])?["trend"] as? [Any])?.count == 1, "dry runs are not in the trend")
    }

    @Test func aFromAddressThatCouldInjectAHeaderIsAConfigError() throws {
        let (tenant, _) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        night.extraConfig = night.extraConfig.replacingOccurrences(of: "from = \"LeaverSweep <leaversweep@contoso.com>\"", with: #"from = "LeaverSweep\r\nBcc: attacker@evil.example <leaversweep@contoso.com>""#)
        let result = try night.run()
        #expect(result.status == 78)
        #expect(result.stderr.contains("email.from") && result.stderr.contains("line break"), "\(result.stderr)")
        #expect(night.emulator.recordedRequests().isEmpty)
    }

    @Test func aMailOutageKeepsTheReportAndTheNextRunSendsBothOldestFirst() throws {
        let (tenant, _) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        smtp.stop()

        let down = try night.run()
        #expect(down.status == 3, "exit status says mail failed: \(down.stderr)")
        #expect(down.stderr.contains("kept in the outbox"))
        #expect(night.effectiveWrites().revoked.count > 0, "reconciling went ahead without mail")

        try smtp.start()
        let up = try night.run()
        #expect(up.status == 2, "\(up.stderr)")
        let messages = try smtp.messages()
        #expect(messages.count == 2)
        #expect(messages.map { ($0["messageId"] as? String)?.contains("run-1.") == true } == [true, false])
        #expect((messages.last?["messageId"] as? String)?.contains("run-2.") == true)

        try night.run()
        #expect(try smtp.messages().count == 3, "nothing is sent twice")
    }

    @Test func requiredSTARTTLSIsNeverDowngradedToPlainText() throws {
        let (tenant, _) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        night.extraConfig = night.extraConfig.replacingOccurrences(of: "starttls = \"off\"", with: "starttls = \"required\"")
        let result = try night.run()
        #expect(result.status == 3)
        #expect(result.stderr.lowercased().contains("starttls") || result.stderr.contains("curl code 64"), "\(result.stderr)")
        #expect(try smtp.messages().isEmpty)
    }

    @Test func onDriftSendsNothingForAQuietTenantAndNeverSendsNothingAtAll() throws {
        var spec = TenantSpec(now: Date())
        spec.disabledFraction = 0
        spec.stalledProvisioning = false
        let (clean, _) = TenantGenerator.generate(spec)
        let night = try NightHarness(tenant: clean)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp, send: "on_drift")
        #expect(try night.run().status == 0)
        #expect(try smtp.messages().isEmpty)

        let (drifting, _) = NightlyRunEndToEndTests.tenant()
        let other = try NightHarness(tenant: drifting)
        other.emailTo(smtp, send: "never")
        try other.run()
        #expect(try smtp.messages().isEmpty)
    }

    @Test func anyStoredRunCanBeRenderedAgainInEveryFormat() throws {
        let (tenant, manifest) = NightlyRunEndToEndTests.tenant()
        let night = try NightHarness(tenant: tenant)
        try night.run()
        try night.run()
        let json = try night.command(["report", "--run", "1", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let first = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((first?["run"] as? [String: Any])?["id"] as? Int == 1)
        let history = first?["history"] as? [String: Any]
        #expect((history?["newKeys"] as? [String])?.count == (first?["findings"] as? [Any])?.count, "on the first night everything is new")

        let latest = try night.command(["report", "--format", "json"])
        let second = try JSONSerialization.jsonObject(with: Data(latest.stdout.utf8)) as? [String: Any]
        let fixed = (second?["history"] as? [String: Any])?["fixed"] as? [[String: Any]] ?? []
        #expect(fixed.count >= manifest.expectedRevocations.count, "revocations applied on night 1 are fixed by night 2")
        #expect(((second?["history"] as? [String: Any])?["trend"] as? [Any])?.count == 2)

        let html = try night.command(["report", "--run", "1", "--format", "html"])
        #expect(html.stdout.lowercased().contains("<html"))
        let csv = try night.command(["report", "--format", "csv"])
        #expect(csv.stdout.contains("finding_key"))
        let text = try night.command(["report", "--run", "latest", "--format", "text"])
        #expect(text.status == 0 && !text.stdout.isEmpty)
        let missing = try night.command(["report", "--run", "99"])
        #expect(missing.status == 1 && missing.stderr.contains("no report stored for run 99"))
    }
}
