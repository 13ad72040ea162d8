import Foundation
import Testing
@testable import LeaverSweepKit

/// `CurlHTTPTransport` called from many threads at once, against loopback servers that count
/// connections and requests held at the same moment. Assertions are about overlap and counts, never time.
@Suite struct CurlMultiTransportTests {
    /// Half GETs, half POSTs with a body, each tagged with its index in the URL and a header.
    static func tagged(_ server: ServerAddress, _ index: Int, holdMilliseconds: Int = 200,
                               timeoutSeconds: Int = 60) -> HTTPRequest {
        let post = !index.isMultiple(of: 2)
        return HTTPRequest(method: post ? "POST" : "GET", url: server.url("/hold?ms=\(holdMilliseconds)&id=\(index)"),
                           headers: [("X-Request-Id", "\(index)")], body: post ? Data("payload-\(index)".utf8) : nil,
                           timeoutSeconds: timeoutSeconds)
    }

    /// The reply `tagged(_, index)` must get back: its own id, header, method and body.
    static func expectedReply(_ index: Int, version: String = "HTTP/1.1") -> HoldReply {
        let post = !index.isMultiple(of: 2)
        return HoldReply(id: "\(index)", header: "\(index)", method: post ? "POST" : "GET",
                         body: post ? "payload-\(index)" : "", version: version)
    }

    @Test func concurrentCallersOverlapUpToTheHostLimitAndEachGetsItsOwnResponse() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport()
        let callers = 32

        let outcomes = onSeparateThreads(callers) { index in outcome(of: transport, Self.tagged(address, index)) }

        for (index, result) in outcomes.enumerated() {
            let response = try result.get()
            #expect(response.status == 200)
            #expect(try HoldReply(response) == Self.expectedReply(index), "caller \(index) got someone else's response")
        }
        let counts = try server.counts()
        #expect(counts.requests == callers)
        #expect(counts.max_in_flight > 1, "transfers should overlap instead of running one after another")
        #expect(counts.max_in_flight <= 16, "HTTP/1.1: never more requests in flight than maxConnectionsPerHost")
        #expect(counts.connections <= 16)
        #expect(transport.connectionsOpened == counts.connections)
    }

    @Test func aSmallHostLimitCapsConnectionsAndRequestsInFlight() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport(options: .init(maxConnectionsPerHost: 3))

        let outcomes = onSeparateThreads(12) { index in outcome(of: transport, Self.tagged(address, index, holdMilliseconds: 100)) }

        #expect(try outcomes.enumerated().allSatisfy { index, result in try HoldReply(result.get()) == Self.expectedReply(index) })
        let counts = try server.counts()
        #expect(counts.max_in_flight > 1)
        #expect(counts.max_in_flight <= 3)
        #expect(counts.connections <= 3)
    }

    @Test func sequentialAndConcurrentRequestsReuseAFewConnections() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport(options: .init(maxConnectionsPerHost: 4))

        for index in 0..<20 {
            #expect(try HoldReply(transport.perform(Self.tagged(address, index, holdMilliseconds: 0))) == Self.expectedReply(index))
        }
        #expect(try server.counts().connections == 1, "sequential requests should all ride one kept-alive connection")

        let outcomes = onSeparateThreads(32) { index in outcome(of: transport, Self.tagged(address, 100 + index, holdMilliseconds: 50)) }
        for (index, result) in outcomes.enumerated() {
            #expect(try HoldReply(result.get()) == Self.expectedReply(100 + index))
        }

        let counts = try server.counts()
        #expect(counts.requests == 52)
        #expect(counts.connections <= 4, "52 requests over at most maxConnectionsPerHost connections")
        #expect(transport.connectionsOpened == counts.connections)
        #expect(transport.idleHandleCount <= 4, "the idle pool is bounded by maxConnectionsPerHost")
    }

    @Test func freshConnectionOpensANewConnectionAndLaterRequestsReuseOne() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport()
        var fresh = Self.tagged(address, 2, holdMilliseconds: 0)
        fresh.freshConnection = true

        _ = try transport.perform(Self.tagged(address, 0, holdMilliseconds: 0))
        _ = try transport.perform(Self.tagged(address, 1, holdMilliseconds: 0))
        #expect(try server.counts().connections == 1)
        #expect(try HoldReply(transport.perform(fresh)) == Self.expectedReply(2))
        #expect(try server.counts().connections == 2)
        _ = try transport.perform(Self.tagged(address, 3, holdMilliseconds: 0))

        #expect(try server.counts().connections == 2)
        #expect(transport.connectionsOpened == 2)
    }

    @Test func oneTransferTimingOutLeavesTheOthersUntouched() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport()

        let outcomes = onSeparateThreads(8) { index in
            index == 0
                ? outcome(of: transport, Self.tagged(address, 0, holdMilliseconds: 3000, timeoutSeconds: 1))
                : outcome(of: transport, Self.tagged(address, index, holdMilliseconds: 200))
        }

        guard case .failure(.network(let code, _, let url)) = outcomes[0] else {
            Issue.record("expected the held request to time out, got \(outcomes[0])")
            return
        }
        #expect(code == 28)
        #expect(url == server.url("/hold?ms=3000&id=0"))
        for index in 1..<8 {
            #expect(try HoldReply(outcomes[index].get()) == Self.expectedReply(index))
        }
        #expect(try HoldReply(transport.perform(Self.tagged(address, 8, holdMilliseconds: 0))) == Self.expectedReply(8))
    }

    /// libcurl itself would only fail the queued transfer once the slow one frees the connection.
    @Test func aTransferQueuedBehindTheHostLimitTimesOutWithoutWaitingForTheConnection() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport(options: .init(maxConnectionsPerHost: 1))
        let order = CompletionOrder()

        let outcomes = onSeparateThreads(2) { index in
            let result: Result<HTTPResponse, TransportError>
            if index == 0 {
                result = outcome(of: transport, Self.tagged(address, 0, holdMilliseconds: 5000, timeoutSeconds: 30))
            } else {
                // Queue only once the slow request holds the host's one connection.
                _ = try? server.counts { $0.requests == 1 }
                result = outcome(of: transport, Self.tagged(address, 1, holdMilliseconds: 0, timeoutSeconds: 1))
            }
            order.record(index)
            return result
        }

        #expect(try HoldReply(outcomes[0].get()) == Self.expectedReply(0))
        guard case .failure(.network(let code, let message, _)) = outcomes[1] else {
            Issue.record("expected the queued request to time out, got \(outcomes[1])")
            return
        }
        #expect(code == 28)
        #expect(message.contains("waiting for a free connection"))
        #expect(order.indices == [1, 0], "the queued request gives up while the slow one is still being held")
        #expect(try server.counts().requests == 1, "the abandoned request never reached the server")
    }

    @Test func oneResponseOverTheLimitFailsAloneWhileOthersSucceed() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        let transport = try CurlHTTPTransport(options: .init(maxResponseBytes: 1000))
        // One refused by its Content-Length, one cut off in the write callback; the rest are small.
        let bigURLs = [address.url("/big?bytes=5000"), address.url("/big?bytes=5000&length=0")]

        let outcomes = onSeparateThreads(10) { index in
            index < bigURLs.count
                ? outcome(of: transport, HTTPRequest(method: "GET", url: bigURLs[index]))
                : outcome(of: transport, Self.tagged(address, index))
        }

        for (index, url) in bigURLs.enumerated() {
            guard case .failure(let error) = outcomes[index] else {
                Issue.record("expected \(url) to be refused as too large")
                continue
            }
            #expect(error == .responseTooLarge(url: url, limitBytes: 1000))
        }
        for index in bigURLs.count..<10 {
            #expect(try HoldReply(outcomes[index].get()) == Self.expectedReply(index))
        }
    }

    @Test func idleTransportDeinitialisesStopsItsDriverAndClosesItsConnections() throws {
        let server = try CountingServer.http()
        defer { server.stop() }
        let address = server.address
        var transport: CurlHTTPTransport? = try CurlHTTPTransport()
        weak let weakTransport = transport
        let driver = try #require(transport?.driverForTesting)

        _ = try transport?.perform(Self.tagged(address, 0, holdMilliseconds: 0))
        #expect(transport?.idleHandleCount == 1)
        #expect(try server.counts().open_connections == 1)
        #expect(!driver.hasStopped)

        transport = nil

        #expect(weakTransport == nil, "the driver thread must not keep the transport alive")
        #expect(driver.hasStopped, "deinit returns only after the driver thread has freed the multi handle")
        let counts = try server.counts { $0.open_connections == 0 }
        #expect(counts.open_connections == 0, "freeing the multi handle closes its cached connections")
    }

    @Test func transportThatNeverSentARequestDeinitialisesCleanly() throws {
        var transport: CurlHTTPTransport? = try CurlHTTPTransport()
        weak let weakTransport = transport
        let driver = try #require(transport?.driverForTesting)

        transport = nil

        #expect(weakTransport == nil)
        #expect(driver.hasStopped)
    }

    @Test func optionsRejectANonPositiveHostLimit() {
        #expect(throws: CurlTransportSetupError.self) { try CurlHTTPTransport(options: .init(maxConnectionsPerHost: 0)) }
    }
}

private final class CompletionOrder: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func record(_ index: Int) { lock.withLock { storage.append(index) } }
    var indices: [Int] { lock.withLock { storage } }
}
