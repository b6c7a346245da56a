import Contracts
import Foundation
import HTTPClient
import Logging
import ServiceKit

/// Asks the Order service whether a user has a confirmed, shipped or delivered order with a
/// product (`GET /internal/purchases/verify`). When it cannot say (not reachable, or it does
/// not offer the endpoint yet), the purchase counts as not verified: a review is never refused
/// because the Order service is down.
/// Whether a user bought a product, for a review's `is_verified_purchase`: the Order service
/// (``PurchaseVerifier``), or a fake in a test of the routes alone.
protocol PurchaseVerifying: Sendable {
    func verify(user: String, product: Int) async -> PurchaseVerification
}

struct PurchaseVerifier: PurchaseVerifying {
    /// The Order service, with a short timeout: a review waits for it.
    let orders: InternalClient
    let logger: Logger

    func verify(user: String, product: Int) async -> PurchaseVerification {
        let request = orders.request("GET", "/internal/purchases/verify", query: [("user_uid", user), ("product_id", String(product))])
        do {
            return try await orders.fetch(PurchaseVerification.self, request, what: "purchase check")
        } catch {
            logger.info("purchase not verified", metadata: ["reason": "\(error)"])
            return PurchaseVerification(verified: false, orderID: nil)
        }
    }
}
