import Foundation

/// A mailbox as written in `From:` and `To:`: an optional display name and an address.
public struct MailAddress: Sendable, Equatable {
    public var displayName: String?
    public var address: String

    public init(displayName: String? = nil, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// Reads `LeaverSweep <leaversweep@contoso.com>`, `"Doe, Jane" <jane@contoso.com>` or `jane@contoso.com`.
    ///
    /// Strict on purpose: the value comes from the config file and ends up in mail headers, so a line break, a
    /// stray angle bracket or a second `@` is refused with a sentence saying what is wrong, not guessed at.
    public static func parse(_ text: String) throws(MailAddressError) -> MailAddress {
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) { throw .lineBreak(text) }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) { throw .controlCharacter(text) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .empty }

        var displayName: String?
        var rest = Substring(trimmed)
        if rest.first == "\"" {
            var name = ""
            var index = rest.index(after: rest.startIndex)
            var closed = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    name.append(rest[index])
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    name.append(character)
                }
                index = rest.index(after: index)
            }
            guard closed else { throw .unterminatedQuote(text) }
            displayName = name
            rest = rest[rest.index(after: index)...].drop { $0 == " " || $0 == "\t" }
            guard rest.first == "<" else { throw .misplacedAngleBracket(text) }
        }

        if let open = rest.firstIndex(of: "<") {
            guard rest.last == ">", rest.filter({ $0 == "<" }).count == 1, rest.filter({ $0 == ">" }).count == 1 else {
                throw .misplacedAngleBracket(text)
            }
            if displayName == nil {
                let name = rest[..<open].trimmingCharacters(in: .whitespaces)
                if name.contains("\"") { throw .unterminatedQuote(text) }
                displayName = name
            }
            let inner = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
            let address = try validatedAddress(inner.trimmingCharacters(in: .whitespaces), in: text)
            return MailAddress(displayName: displayName?.isEmpty == false ? displayName : nil, address: address)
        }
        if rest.contains(">") { throw .misplacedAngleBracket(text) }
        return MailAddress(displayName: nil, address: try validatedAddress(String(rest), in: text))
    }

    /// The RFC 5322 mailbox: `LeaverSweep <leaversweep@contoso.com>`; the name quoted when it has specials
    /// (`"Doe, Jane" <…>`) and RFC 2047-encoded when it is not ASCII. Line breaks and control characters are removed
    /// even when the value was set directly rather than parsed, so no input can add a header.
    public var headerValue: String {
        let cleanAddress = String(UntrustedText.clean(address).unicodeScalars.filter { $0 != " " && $0 != "<" && $0 != ">" })
        let name = UntrustedText.clean(displayName ?? "", limit: 200).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return cleanAddress }
        return "\(MIMEHeader.phrase(name)) <\(cleanAddress)>"
    }

    private static func validatedAddress(_ address: String, in text: String) throws(MailAddressError) -> String {
        guard !address.isEmpty else { throw .missingAt(text) }
        if address.contains("<") || address.contains(">") { throw .misplacedAngleBracket(text) }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { throw .missingAt(text) }
        guard parts.count == 2 else { throw .multipleAt(text) }
        guard address.unicodeScalars.allSatisfy(\.isASCII) else { throw .nonASCIIAddress(text) }
        // RFC 5321 §4.5.3.1; also keeps the From and To lines under the 998-octet line limit.
        guard parts[0].utf8.count <= 64, address.utf8.count <= 254 else { throw .tooLong(text) }

        let local = parts[0]
        let allowedInLocal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        guard !local.isEmpty, local.allSatisfy(allowedInLocal.contains),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { throw .invalidLocalPart(text) }

        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        let allowedInDomain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        guard labels.allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy(allowedInDomain.contains) && !label.hasPrefix("-") && !label.hasSuffix("-")
        }) else { throw .invalidDomain(text) }
        return address
    }
}
