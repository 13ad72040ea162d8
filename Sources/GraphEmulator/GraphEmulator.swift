import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An in-process stand-in for Microsoft Graph and the Entra token endpoint, served over loopback HTTP.
///
/// End-to-end tests run the real client (libcurl and all) against it and then assert exactly which writes
/// reached "Graph". It shares no types with the client, so a client-side modelling mistake shows up as a
/// failed request here instead of being mirrored.
public final class GraphEmulator: @unchecked Sendable {
    // Everything mutable below is guarded by `lock`.
    private let lock = NSLock()
    let options: EmulatorOptions
    let service: GraphService
    var tokens: TokenService
    var faults: FaultPlan
    var graphRequestCount = 0
    /// Requests each access token has authenticated, for `expireTokensEveryNth`.
    var tokenUses: [String: Int] = [:]
    var records: [RecordedRequest] = []
    var manifest: DriftManifest?
    var reportThrottle = ReportThrottle()
    /// Added to the wall clock for every request: lets tests age tokens (delta tokens live 7 days) without waiting.
    var clockOffset: TimeInterval = 0
    private var server: LoopbackHTTPServer?
    private var boundBaseURL = ""

    public init(tenant: EmulatedTenant, options: EmulatorOptions = EmulatorOptions()) {
        self.options = options
        service = GraphService(tenant: tenant, options: options)
        tokens = TokenService(options: options)
        faults = options.faults
    }

    deinit {
        server?.stop()
    }

    /// Binds 127.0.0.1 (or ::1) on `port` (0 = ephemeral), starts serving on background threads, returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) throws -> Int {
        // weak: a connection thread may still be answering while the emulator is being released.
        let server = LoopbackHTTPServer { [weak self] request in
            self?.handle(request) ?? .response(HTTPResponse(status: 503, headers: [HTTPHeader(name: "Retry-After", value: "1")]))
        }
        let bound = try server.start(host: host, port: port)
        let authority = host.contains(":") ? "[\(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))]" : "127.0.0.1"
        synchronized {
            self.server = server
            boundBaseURL = "http://\(authority):\(bound)"
            service.baseURL = boundBaseURL
        }
        return bound
    }

    /// Stops listening and closes open connections; recorded requests and state stay readable.
    public func stop() {
        let running = synchronized { () -> LoopbackHTTPServer? in
            defer { server = nil }
            return server
        }
        running?.stop()
    }

    /// `http://127.0.0.1:PORT`, no trailing slash. Graph is at `baseURL + "/v1.0"`, the token endpoint at
    /// `baseURL + "/{tenant}/oauth2/v2.0/token"`.
    public var baseURL: String {
        synchronized { boundBaseURL }
    }

    /// Every request except `/_emulator/` control calls, in the order the emulator processed them; a `$batch`
    /// envelope comes first, then its inner requests (`batch` true) in the order they ran.
    public func recordedRequests() -> [RecordedRequest] {
        synchronized { records }
    }

    /// Only non-GET Graph requests (not the token endpoint), in order; faulted ones included with their status
    /// (0 when no complete response was sent) and `fault`.
    public func recordedWrites() -> [RecordedRequest] {
        synchronized { records.filter(\.isGraphWrite) }
    }

    public func resetRecording() {
        synchronized { records.removeAll() }
    }

    /// Replaces the fault plan; takes effect on the next request. The request counter keeps running.
    public func setFaults(_ faults: FaultPlan) {
        synchronized { self.faults = faults }
    }

    /// Makes the manifest available at `GET /_emulator/manifest` for out-of-process users.
    public func setManifest(_ manifest: DriftManifest?) {
        synchronized { self.manifest = manifest }
    }

    /// The user's current state as Graph JSON with every property; looked up by id or UPN.
    public func user(id: String) -> [String: Any]? {
        synchronized { service.state.user(id).map { JSONValue.object(UserJSON.render($0, nil)).foundationObject as? [String: Any] } ?? nil }
    }

    /// The device's current state as Graph JSON with every property, plus `registeredOwners` ids.
    public func device(id: String) -> [String: Any]? {
        synchronized {
            guard let index = service.state.deviceIndex(objectId: id) else { return nil }
            let device = service.state.devices[index]
            var json = JSONValue.object(DeviceJSON.render(device, nil)).foundationObject as? [String: Any] ?? [:]
            json["registeredOwners"] = device.registeredOwnerIds.map { ["@odata.type": "#microsoft.graph.user", "id": $0] }
            return json
        }
    }

    /// A snapshot of the whole tenant, e.g. to compare after a run.
    public func tenantSnapshot() -> EmulatedTenant {
        synchronized {
            let state = service.state
            return EmulatedTenant(users: state.users, devices: state.devices,
                                  appRoleAssignments: state.assignments.values.sorted { $0.id < $1.id },
                                  grants: state.grants.values.sorted { $0.id < $1.id }, auditEvents: state.auditEvents,
                                  groups: state.groups.values.sorted { $0.id < $1.id },
                                  servicePrincipals: state.servicePrincipals,
                                  synchronizationJobs: state.synchronizationJobs.values.flatMap { $0 }.sorted { $0.id < $1.id },
                                  provisioningEvents: state.provisioningEvents)
        }
    }

    // MARK: Request entry point

    /// Runs on a connection thread. State work happens under the lock; the configured latency is slept
    /// outside it so concurrent clients overlap as they would against the real service.
    private func handle(_ request: HTTPRequest) -> HTTPReply {
        let outcome = synchronized { dispatch(request, now: Date().addingTimeInterval(clockOffset)) }
        if outcome.delayed && options.latencyMilliseconds > 0 {
            usleep(useconds_t(options.latencyMilliseconds * 1000))
        }
        return outcome.reply
    }

    func synchronized<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
