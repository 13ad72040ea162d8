import ArgumentParser

@main
struct LeaverSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaversweep",
        abstract: "Finds and fixes what offboarding left behind in Microsoft Entra ID: unrevoked sessions, enabled devices, app access.",
        discussion: "Run nightly from cron or a systemd timer. Exit statuses: 0 done, 1 run failed, 2 drift left for a person, 3 report email not sent (kept for the next run), 4 blast-radius guard tripped (nothing written), 5 another run holds the lock, 78 configuration error.",
        subcommands: [RunCommand.self, ReportCommand.self, HistoryCommand.self, ShowCommand.self, AckCommand.self, DemoCommand.self, CheckConfigCommand.self]
    )
}
