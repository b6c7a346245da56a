import Contracts
import Foundation
import Postgres
import ServiceKit

/// `GET /internal/stock/products/{id}/ledger`: an audit of one product's stock.
struct LedgerSummary: Codable, Sendable {
    var productID: Int
    var stock: Int
    var sum: Int
    var reserved: Int
    var movements: Int

    enum CodingKeys: String, CodingKey {
        case stock, sum, reserved, movements
        case productID = "product_id"
    }
}
