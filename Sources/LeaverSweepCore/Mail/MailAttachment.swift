import Foundation

/// A file attached to a mail, sent base64-encoded as `Content-Disposition: attachment`.
public struct MailAttachment: Sendable, Equatable {
    /// Shown to the recipient; quotes, backslashes, slashes and control characters are replaced when rendered.
    public var filename: String
    /// For example `text/csv; charset=utf-8`.
    public var contentType: String
    public var data: Data

    public init(filename: String, contentType: String, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}
