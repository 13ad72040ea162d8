import Foundation

/// `/_emulator/…`: test-only endpoints (not Graph) so out-of-process users — benchmarks, the demo — can
/// inspect and steer a running emulator. They are neither authenticated, faulted, delayed nor recorded.
extension GraphEmulator {
    func control(_ request: HTTPRequest, _ segments: [String], now: Date) -> HTTPResponse {
        switch (request.method, segments.joined(separator: "/")) {
        case ("GET", "requests"):
            return json(200, records.map(Self.json(for:)))
        case ("GET", "writes"):
            return json(200, records.filter(\.isGraphWrite).map(Self.json(for:)))
        case ("DELETE", "requests"), ("POST", "reset"):
            records.removeAll()
            return HTTPResponse(status: 204)
        case ("GET", "faults"):
            return json(200, Self.json(for: faults))
        case ("POST", "faults"), ("PUT", "faults"):
            guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
                return json(400, ["error": "Body must be a JSON object with FaultPlan fields."])
            }
            let plan = Self.faultPlan(from: object)
            faults = plan
            return json(200, Self.json(for: plan))
        case ("GET", "manifest"):
            guard let manifest else { return json(404, ["error": "No manifest: this tenant was not generated."]) }
            return json(200, Self.json(for: manifest))
        case ("GET", _) where segments.count == 2 && segments[0] == "users":
            let id = segments[1]
            guard let user = service.state.user(id) else { return json(404, ["error": "No user '\(id)'."]) }
            return json(200, JSONValue.object(UserJSON.render(user, nil)).foundationObject)
        case ("POST", "churn"):
            let object = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
            let seed = (object["seed"] as? NSNumber)?.int64Value ?? 1
            guard let fraction = (object["fraction"] as? NSNumber)?.doubleValue, (0...1).contains(fraction) else {
                return json(400, ["error": "Body must be {\"fraction\": 0...1, \"seed\": integer}."])
            }
            let summary = service.state.churn(fraction: fraction, seed: UInt64(bitPattern: seed), now: now)
            return json(200, ["changedUsers": summary.changedUsers, "newlyDisabled": summary.newlyDisabled,
                              "changedDevices": summary.changedDevices])
        case ("POST", "expire-delta-tokens"):
            expireDeltaTokensLocked()
            return json(200, ["deltaEpoch": service.deltaEpoch])
        case ("POST", "advance-clock"):
            let object = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
            guard let seconds = (object["seconds"] as? NSNumber)?.doubleValue, seconds >= 0 else {
                return json(400, ["error": "Body must be {\"seconds\": number >= 0}."])
            }
            clockOffset += seconds
            return json(200, ["clockOffsetSeconds": clockOffset])
        case ("GET", "health"):
            return json(200, ["status": "ok", "graphRequests": graphRequestCount])
        default:
            return json(404, ["error": "Unknown control endpoint \(request.method) /_emulator/\(segments.joined(separator: "/"))."])
        }
    }

    func expireDeltaTokensLocked() {
        service.deltaEpoch += 1
        service.deltaWindowCache = nil
    }

    private func json(_ status: Int, _ object: Any) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
                     body: GraphJSON.data(object))
    }

    static func json(for record: RecordedRequest) -> [String: Any] {
        ["method": record.method, "path": record.path, "query": record.query, "headers": record.headers,
         "body": record.body, "status": record.status, "tokenEndpoint": record.tokenEndpoint,
         "fault": record.fault?.rawValue ?? NSNull(), "batch": record.batch, "responseBytes": record.responseBytes]
    }

    static func json(for plan: FaultPlan) -> [String: Any] {
        ["throttleEveryNth": plan.throttleEveryNth, "unavailableEveryNth": plan.unavailableEveryNth,
         "retryAfterSeconds": plan.retryAfterSeconds, "expireTokensEveryNth": plan.expireTokensEveryNth,
         "resetEveryNth": plan.resetEveryNth, "truncateEveryNth": plan.truncateEveryNth,
         "malformedJSONEveryNth": plan.malformedJSONEveryNth, "stallEveryNth": plan.stallEveryNth,
         "stallSeconds": plan.stallSeconds, "serverErrorEveryNth": plan.serverErrorEveryNth,
         "tokenEndpointDown": plan.tokenEndpointDown, "endlessPaging": plan.endlessPaging]
    }

    /// The inverse of `json(for:)`; a missing field keeps its default (off).
    static func faultPlan(from object: [String: Any]) -> FaultPlan {
        func number(_ key: String) -> Double? {
            switch object[key] {
            case let value as Int: Double(value)
            case let value as Double: value
            case let value as NSNumber: value.doubleValue
            default: nil
            }
        }
        func int(_ key: String, _ fallback: Int) -> Int { number(key).map { Int($0) } ?? fallback }
        var plan = FaultPlan()
        plan.throttleEveryNth = int("throttleEveryNth", 0)
        plan.unavailableEveryNth = int("unavailableEveryNth", 0)
        plan.retryAfterSeconds = int("retryAfterSeconds", plan.retryAfterSeconds)
        plan.expireTokensEveryNth = int("expireTokensEveryNth", 0)
        plan.resetEveryNth = int("resetEveryNth", 0)
        plan.truncateEveryNth = int("truncateEveryNth", 0)
        plan.malformedJSONEveryNth = int("malformedJSONEveryNth", 0)
        plan.stallEveryNth = int("stallEveryNth", 0)
        plan.stallSeconds = number("stallSeconds") ?? plan.stallSeconds
        plan.serverErrorEveryNth = int("serverErrorEveryNth", 0)
        plan.tokenEndpointDown = object["tokenEndpointDown"] as? Bool ?? false
        plan.endlessPaging = object["endlessPaging"] as? Bool ?? false
        return plan
    }

    static func json(for manifest: DriftManifest) -> [String: Any] {
        ["disabledUserIds": manifest.disabledUserIds.sorted(),
         "expectedRevocations": manifest.expectedRevocations.sorted(),
         "expectedDeviceDisables": manifest.expectedDeviceDisables.sorted(),
         "nonWindowsLeftoverDevices": manifest.nonWindowsLeftoverDevices.sorted(),
         "syncedLeftoverDevices": manifest.syncedLeftoverDevices.sorted(),
         "usersWithAppAccess": manifest.usersWithAppAccess.sorted(),
         "groupInheritedAccess": manifest.groupInheritedAccess.mapValues { $0.sorted() },
         "removableAppRoleAssignments": manifest.removableAppRoleAssignments.sorted(),
         "removableUserConsentGrants": manifest.removableUserConsentGrants.sorted(),
         "provisioningJobIssues": manifest.provisioningJobIssues.sorted { ($0.servicePrincipalId, $0.jobId) < ($1.servicePrincipalId, $1.jobId) }
            .map { issue in
                ["servicePrincipalId": issue.servicePrincipalId, "jobId": issue.jobId, "state": issue.state,
                 "reason": issue.reason, "since": issue.since.map(GraphTime.seconds) ?? NSNull(),
                 "countSuccessiveCompleteFailures": issue.countSuccessiveCompleteFailures] as [String: Any]
            },
         "lingeringProvisionedAccounts": manifest.lingeringProvisionedAccounts.sorted { ($0.userId, $0.servicePrincipalId) < ($1.userId, $1.servicePrincipalId) }
            .map { ["userId": $0.userId, "servicePrincipalId": $0.servicePrincipalId] }]
    }
}
