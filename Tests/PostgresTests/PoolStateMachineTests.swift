import Testing

@testable import Postgres

@Suite("Pool state machine")
struct PoolStateMachineTests {
    @Test func opensConnectionsUpToTheMaximumThenQueues() {
        var machine = PoolStateMachine(maxConnections: 2)
        let result1 = machine.acquire(waiter: 1)
        #expect(result1 == .waitAndConnect)
        let result2 = machine.acquire(waiter: 2)
        #expect(result2 == .waitAndConnect)
        let result3 = machine.acquire(waiter: 3)
        #expect(result3 == .wait)
        #expect(machine.connecting == 2)
        let result4 = machine.connected(10)
        #expect(result4 == .handOver(10, to: 1))
        let result5 = machine.connected(11)
        #expect(result5 == .handOver(11, to: 2))
        let result6 = machine.release(10, reusable: true)
        #expect(result6 == .handOver(10, to: 3))
        let result7 = machine.release(10, reusable: true)
        #expect(result7 == .keep)
        let result8 = machine.acquire(waiter: 4)
        #expect(result8 == .lease(10))
    }

    @Test func doesNotOpenMoreConnectionsThanWaiters() {
        var machine = PoolStateMachine(maxConnections: 10)
        let result9 = machine.acquire(waiter: 1)
        #expect(result9 == .waitAndConnect)
        let result10 = machine.connected(7)
        #expect(result10 == .handOver(7, to: 1))
        let result11 = machine.release(7, reusable: true)
        #expect(result11 == .keep)
        let result12 = machine.leaseIdle()
        #expect(result12 == 7)
        let result13 = machine.leaseIdle()
        #expect(result13 == nil)
        #expect(machine.total == 1)
    }

    @Test func brokenConnectionIsReplacedOnlyWhenSomeoneWaits() {
        var machine = PoolStateMachine(maxConnections: 1)
        let result14 = machine.acquire(waiter: 1)
        #expect(result14 == .waitAndConnect)
        let result15 = machine.connected(5)
        #expect(result15 == .handOver(5, to: 1))
        let result16 = machine.acquire(waiter: 2)
        #expect(result16 == .wait)
        let result17 = machine.release(5, reusable: false)
        #expect(result17 == .closeAndConnect(5))
        let result18 = machine.connected(6)
        #expect(result18 == .handOver(6, to: 2))
        let result19 = machine.release(6, reusable: false)
        #expect(result19 == .close(6))
        #expect(machine.total == 0)
    }

    @Test func failedConnectFailsTheLongestWaiter() {
        var machine = PoolStateMachine(maxConnections: 1)
        let result20 = machine.acquire(waiter: 1)
        #expect(result20 == .waitAndConnect)
        let result21 = machine.acquire(waiter: 2)
        #expect(result21 == .wait)
        let result22 = machine.connectFailed()
        #expect(result22 == 1)
        #expect(machine.waiters == [2])
        #expect(machine.total == 0)
    }

    @Test func cancelledWaiterIsRemovedOnce() {
        var machine = PoolStateMachine(maxConnections: 1)
        _ = machine.acquire(waiter: 1)
        let result23 = machine.cancel(1)
        #expect(result23)
        let result24 = machine.cancel(1)
        #expect(!result24)
        let result25 = machine.connected(3)
        #expect(result25 == .keep)
    }

    @Test func shutdownClosesIdleFailsWaitersAndRefusesNewLeases() {
        var machine = PoolStateMachine(maxConnections: 2)
        _ = machine.acquire(waiter: 1)
        _ = machine.connected(1)
        let result26 = machine.release(1, reusable: true)
        #expect(result26 == .keep)
        _ = machine.acquire(waiter: 2)
        _ = machine.acquire(waiter: 3)
        let (close, fail) = machine.shutdown()
        #expect(close.isEmpty)
        #expect(fail == [3])
        let result27 = machine.acquire(waiter: 4)
        #expect(result27 == .fail)
        let result28 = machine.release(1, reusable: true)
        #expect(result28 == .close(1))
    }

    @Test func prewarmStopsAtTheMinimum() {
        var machine = PoolStateMachine(maxConnections: 5)
        var started = 0
        while machine.startPrewarm(minimum: 2) { started += 1 }
        #expect(started == 2)
        let result29 = machine.connected(1)
        #expect(result29 == .keep)
        #expect(machine.idle == [1])
    }
}
