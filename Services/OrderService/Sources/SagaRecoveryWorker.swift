import Logging
import ServiceKit
import ServiceLifecycle

/// Finishes sagas whose process died or stalled: at start-up (once the schema is current)
/// and then periodically, it takes over every saga not ended within `ORDER_SAGA_TIMEOUT_MS`
/// and drives it to completion or compensation. Several replicas can run it: a saga is
/// claimed with `FOR UPDATE SKIP LOCKED` and advanced only under its lease.
struct SagaRecoveryWorker: Service {
    let sagas: SagaStore
    let saga: OrderSaga
    let interval: Duration
    /// `ORDER_SAGA_TIMEOUT_MS`, published beside the age of the oldest open saga.
    let sagaTimeout: Duration
    /// Opens once the migrations have run.
    let ready: SchemaReadiness
    let logger: Logger

    func run() async throws {
        await repeatUntilStopped(every: interval, after: ready) {
            do {
                let recovered = try await recoverExpired()
                if recovered > 0 { logger.info("recovered order sagas", metadata: ["sagas": "\(recovered)"]) }
                try await publishOpenSagas()
            } catch {
                logger.warning("saga recovery pass failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Drives every saga whose lease ran out; returns how many it took over.
    func recoverExpired() async throws -> Int {
        var total = 0
        while !Task.isStopping {
            let claimed = try await sagas.claimExpired(limit: 20)
            guard !claimed.isEmpty else { break }
            total += claimed.count
            SagaMetrics.recovered(claimed.count)
            await withTaskGroup(of: Void.self) { group in
                for orderID in claimed {
                    group.addTask { await recover(orderID) }
                }
            }
        }
        return total
    }

    /// How many sagas are open and how old the oldest is (the partial index on open sagas keeps it cheap).
    private func publishOpenSagas() async throws {
        let open = try await sagas.openSagas()
        SagaMetrics.open(count: open.count, oldestSeconds: open.oldestSeconds, timeout: sagaTimeout)
    }

    private func recover(_ orderID: Int) async {
        do {
            guard var record = try await sagas.load(orderID) else { return }
            logger.info("taking over an unfinished order saga", metadata: ["order_id": "\(orderID)"])
            try await saga.drive(&record)
        } catch {
            logger.warning("order saga recovery failed", metadata: ["order_id": "\(orderID)", "error": "\(error)"])
        }
    }
}
