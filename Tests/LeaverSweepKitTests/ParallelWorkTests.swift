import Foundation
import Testing
@testable import LeaverSweepKit

struct ParallelWorkTests {
    @Test func mapKeepsTheItemsOrderWhateverOrderTheThreadsFinishIn() throws {
        let items = Array(0..<40)
        let results = try ParallelWork.map(items, threads: 8) { item -> String in
            // Later items finish first.
            Thread.sleep(forTimeInterval: Double(40 - item) / 4000)
            return "item \(item)"
        }
        #expect(results == items.map { "item \($0)" })
    }

    @Test func mapRethrowsTheFirstError() {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try ParallelWork.map(Array(0..<10), threads: 3) { item -> Int in
                if item == 4 { throw Boom() }
                return item
            }
        }
    }
}
