import Foundation

/// The OData system query options of one request, keys normalised (`$select`, `select`, `$SELECT` agree).
struct ODataQuery {
    var select: [String]?
    var filter: String?
    var top: String?
    var expand: String?
    var skipToken: String?
    /// `$deltatoken` of a delta deltaLink (or `latest`); like `$skiptoken`, never carried into links.
    var deltaToken: String?
    var orderBy: String?
    var count: String?
    var search: String?
    /// The options as sent, minus `$skiptoken`/`$deltatoken`, for building the next page's link.
    var carried: [(String, String)] = []

    init(_ pairs: [(String, String)]) {
        for (rawKey, value) in pairs {
            var key = rawKey.lowercased()
            if key.hasPrefix("$") { key.removeFirst() }
            switch key {
            case "select":
                select = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case "filter": filter = value
            case "top": top = value
            case "expand": expand = value
            case "skiptoken":
                skipToken = value
                continue
            case "deltatoken":
                deltaToken = value
                continue
            case "orderby": orderBy = value
            case "count": count = value
            case "search": search = value
            default: break
            }
            carried.append((rawKey, value))
        }
    }

    /// What a skiptoken is bound to: the options that shape the result set, order-independent.
    var canonical: String {
        carried.map { key, value in
            var normalised = key.lowercased()
            if normalised.hasPrefix("$") { normalised.removeFirst() }
            return "\(normalised)=\(value)"
        }.sorted().joined(separator: "&")
    }

    /// `$top` as a page size; Graph rejects values outside 1...max with a 400 naming the value.
    func pageSize(default defaultSize: Int, max: Int) throws -> Int {
        guard let top else { return defaultSize }
        guard let size = Int(top.trimmingCharacters(in: .whitespaces)), (1...max).contains(size) else {
            throw GraphError.invalidPageSize(top, max: max)
        }
        return size
    }
}

/// One comparison of a `$filter`, e.g. `accountEnabled eq false` or `targetResources/any(t:t/id eq 'x')`.
enum FilterClause: Equatable {
    case compare(property: String, op: String, value: FilterValue)
    /// `collection/any(v:v/member eq 'value')`.
    case any(collection: String, member: String, value: String)
}

enum FilterValue: Equatable {
    case string(String)
    /// Anything unquoted: true, false, null, numbers, DateTimeOffset literals.
    case literal(String)
}

/// A deliberately small `$filter` parser: clauses joined by `and`. Anything else is "unsupported", which is
/// what the directory says for most shapes it cannot serve without advanced query headers.
enum FilterParser {
    static func parse(_ text: String) throws -> [FilterClause] {
        try splitOnAnd(text).map(parseClause)
    }

    static func splitOnAnd(_ text: String) throws -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuote = false
        var depth = 0
        let words = tokens(text)
        for word in words {
            if !inQuote && depth == 0 && word.lowercased() == "and" {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            for character in word {
                if character == "'" { inQuote.toggle() }
                if !inQuote && character == "(" { depth += 1 }
                if !inQuote && character == ")" { depth -= 1 }
            }
            current += current.isEmpty ? word : " " + word
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        guard !inQuote, depth == 0, !parts.contains(where: \.isEmpty) else {
            throw GraphError.badRequest("Invalid filter clause: syntax error in '\(text)'.")
        }
        return parts
    }

    /// Splits on spaces but keeps quoted strings (with `''` escapes) whole.
    private static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inQuote = false
        for character in text {
            if character == "'" { inQuote.toggle() }
            if character == " " && !inQuote {
                if !current.isEmpty { result.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private static func parseClause(_ clause: String) throws -> FilterClause {
        if let slash = clause.firstIndex(of: "/"), clause.lowercased().contains("/any(") {
            // collection/any(t:t/member eq 'value')
            let collection = String(clause[..<slash])
            let inner = clause[clause.index(after: slash)...].dropFirst("any(".count)
            guard inner.hasSuffix(")"), let colon = inner.firstIndex(of: ":") else { throw unsupported(clause) }
            let variable = inner[..<colon]
            let body = inner[inner.index(after: colon)...].dropLast()
            guard case .compare(let path, "eq", .string(let value)) = try parseClause(String(body)),
                  path.hasPrefix(variable + "/") else { throw unsupported(clause) }
            return .any(collection: collection, member: String(path.dropFirst(variable.count + 1)), value: value)
        }
        let parts = tokens(clause)
        guard parts.count == 3 else { throw unsupported(clause) }
        let raw = parts[2]
        let value: FilterValue
        if raw.hasPrefix("'") && raw.hasSuffix("'") && raw.count >= 2 {
            value = .string(String(raw.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'"))
        } else {
            value = .literal(raw)
        }
        return .compare(property: parts[0], op: parts[1].lowercased(), value: value)
    }

    static func unsupported(_ clause: String) -> GraphError {
        GraphError.unsupportedQuery("Unsupported or invalid query filter clause specified: '\(clause)'.")
    }
}

extension FilterClause {
    /// `accountEnabled eq true|false`, the one user/device filter served without advanced query headers here.
    static func accountEnabled(in filter: String?, type: String, properties: PropertySet) throws -> Bool? {
        guard let filter else { return nil }
        let clauses = try FilterParser.parse(filter)
        guard clauses.count == 1, case .compare(let property, let op, let value) = clauses[0] else {
            throw GraphError.unsupportedQuery("Unsupported query.")
        }
        _ = try properties.resolve([property])
        guard property.lowercased() == "accountenabled", op == "eq",
              case .literal(let literal) = value, let wanted = Bool(literal.lowercased()) else {
            throw GraphError.unsupportedQuery(
                "Unsupported or invalid query filter clause specified for property '\(property)' of resource '\(type)'.")
        }
        return wanted
    }
}
