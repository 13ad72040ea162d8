import LeaverSweepCore

/// libFuzzer entry point for the config parser: any bytes give a `Configuration` or a `ConfigurationError`,
/// never a crash, a trap or a hang.
///
/// The config is the first thing a nightly run reads, so a file an admin mistyped (or a tool mangled) must
/// end in the one-line error, not in a signal that cron mails as a core dump.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Lossy decoding: the CLI reads the file as UTF-8, so invalid bytes never reach the parser anyway.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try Configuration.parse(text, file: "fuzz.toml")
    } catch {
        // The message quotes parts of the input; building it must not trap either.
        _ = error.description
    }
    return 0
}
