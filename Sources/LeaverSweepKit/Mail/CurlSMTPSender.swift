import CCurl
import Foundation
import LeaverSweepCore

/// Sends mail with libcurl's SMTP: STARTTLS required on smtp:// (unless switched off for a loopback relay),
/// implicit TLS on smtps://, certificate verification always on, AUTH only when a username is configured.
public final class CurlSMTPSender: MailSender, @unchecked Sendable {
    public struct Settings: Sendable {
        public var url: URL
        public var startTLS: EmailSettings.StartTLS
        public var username: String?
        public var password: String?
        public var caInfoPath: String?

        public init(url: URL, startTLS: EmailSettings.StartTLS, username: String?, password: String?, caInfoPath: String? = nil) {
            self.url = url
            self.startTLS = startTLS
            self.username = username
            self.password = password
            self.caInfoPath = caInfoPath
        }
    }

    private let settings: Settings
    private let lock = NSLock()

    public init(settings: Settings) {
        self.settings = settings
    }

    private var server: String { "\(settings.url.scheme ?? "smtp")://\(settings.url.host ?? "?")\(settings.url.port.map { ":\($0)" } ?? "")" }

    public func send(_ message: Data, from: String, to: [String]) throws {
        try lock.withLock {
            let handle = try CurlEasyHandle()
            do {
                try deliver(message, from: from, to: to, handle: handle)
            } catch let failure as CurlFailure {
                let status = (try? handle.long(CURLINFO_RESPONSE_CODE)).flatMap { $0 > 0 ? $0 : nil }
                throw MailDeliveryError(server: server, code: failure.code, message: failure.message, smtpStatus: status)
            }
        }
    }

    private func deliver(_ message: Data, from: String, to: [String], handle: CurlEasyHandle) throws {
        try handle.installErrorBuffer()
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.restrictProtocols("smtp,smtps", legacyMask: Int(CURLPROTO_SMTP | CURLPROTO_SMTPS))
        try handle.set(CURLOPT_URL, settings.url.absoluteString)
        try handle.set(CURLOPT_CONNECTTIMEOUT, 15)
        try handle.set(CURLOPT_TIMEOUT, 120)
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        try handle.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        if let ca = settings.caInfoPath { try handle.set(CURLOPT_CAINFO, ca) }
        // CURLUSESSL_ALL: fail unless the server upgrades; never fall back to plain text with a password.
        let useSSL = settings.startTLS == .required ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_NONE.rawValue)
        try handle.set(CURLOPT_USE_SSL, useSSL)
        if let username = settings.username {
            try handle.set(CURLOPT_USERNAME, username)
            try handle.set(CURLOPT_PASSWORD, settings.password ?? "")
        }
        try handle.set(CURLOPT_MAIL_FROM, "<\(from)>")
        let recipients = try CurlStringList(to.map { "<\($0)>" })
        try handle.set(CURLOPT_MAIL_RCPT, list: recipients)
        // One mistyped recipient must not keep the report from everyone else (libcurl 7.69+; older ones refuse
        // the option, and then a bad recipient fails the whole message as before).
        // Named by number: libcurl before 8.2 spells it CURLOPT_MAIL_RCPT_ALLLOWFAILS, later ones ALLOWFAILS.
        try? handle.set(CURLoption(rawValue: 290), 1)

        let source = UploadSource(message)
        try handle.set(CURLOPT_UPLOAD, 1)
        try handle.set(CURLOPT_INFILESIZE_LARGE, offset: Int64(message.count))
        try handle.set(CURLOPT_READFUNCTION, readFunction: UploadSource.readCallback)
        try handle.set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(source).toOpaque())
        try withExtendedLifetime((recipients, source)) { () throws(CurlFailure) in try handle.perform() }
    }
}

/// Feeds the message to libcurl's read callback.
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ data: Data) {
        bytes = [UInt8](data)
    }

    static let readCallback: curl_read_callback = { buffer, size, count, userData in
        guard let buffer, let userData else { return 0 }
        let source = Unmanaged<UploadSource>.fromOpaque(userData).takeUnretainedValue()
        let room = size * count
        let remaining = source.bytes.count - source.offset
        let chunk = min(room, remaining)
        if chunk > 0 {
            source.bytes.withUnsafeBufferPointer { all in
                UnsafeMutableRawPointer(buffer).copyMemory(from: all.baseAddress! + source.offset, byteCount: chunk)
            }
            source.offset += chunk
        }
        return chunk
    }
}
