import Contracts
import Foundation
import HTTPClient
import Logging

/// Asks the Order service whether a user has a confirmed, shipped or delivered order with a
/// product (`GET /internal/purchases/verify`). When it cannot say (not reachable, or it does
/// not offer the endpoint yet), the purchase counts as not verified: a review is never refused
/// because the Order service is down.
struct PurchaseVerifier: Sendable {
    let client: CurlHTTPClient
    let orderServiceURL: String
    let internalToken: String?
    let logger: Logger

    func verify(user: String, product: Int) async -> PurchaseVerification {
        var components = URLComponents(string: orderServiceURL + "/internal/purchases/verify")
        components?.queryItems = [URLQueryItem(name: "user_uid", value: user), URLQueryItem(name: "product_id", value: String(product))]
        guard let url = components?.string else { return PurchaseVerification(verified: false, orderID: nil) }
        do {
            return try await client.decoding(
                PurchaseVerification.self,
                from: HTTPClientRequest(url: url, headers: [("X-Internal-Token", internalToken ?? "")], timeout: .seconds(2)))
        } catch {
            logger.info("purchase not verified", metadata: ["reason": "\(error)"])
            return PurchaseVerification(verified: false, orderID: nil)
        }
    }
}
