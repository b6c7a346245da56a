import Foundation

/// Orders of the last hours, for the operator's dashboard (`/internal/stats/orders`, read by
/// the gateway's `GET /api/v1/admin/dashboard`). An order counts as confirmed once it was
/// (`confirmed`, `shipped` or `delivered`); revenue is the total of those orders.
public struct OrderStats: Codable, Sendable, Equatable {
    /// One hour (its start), oldest first; only hours with orders.
    public struct Hour: Codable, Sendable, Equatable {
        public var hour: Date
        public var confirmed: Int
        public var failed: Int
        public var cancelled: Int
        public var revenue: Money

        public init(hour: Date, confirmed: Int, failed: Int, cancelled: Int, revenue: Money) {
            self.hour = hour
            self.confirmed = confirmed
            self.failed = failed
            self.cancelled = cancelled
            self.revenue = revenue
        }
    }

    /// A product by units sold in confirmed orders.
    public struct TopProduct: Codable, Sendable, Equatable {
        public var productID: Int
        public var productName: String
        public var units: Int
        public var revenue: Money

        public init(productID: Int, productName: String, units: Int, revenue: Money) {
            self.productID = productID
            self.productName = productName
            self.units = units
            self.revenue = revenue
        }

        enum CodingKeys: String, CodingKey {
            case units, revenue
            case productID = "product_id", productName = "product_name"
        }
    }

    public var since: Date
    public var hours: [Hour]
    public var topProducts: [TopProduct]

    public init(since: Date, hours: [Hour], topProducts: [TopProduct]) {
        self.since = since
        self.hours = hours
        self.topProducts = topProducts
    }

    enum CodingKeys: String, CodingKey {
        case since, hours
        case topProducts = "top_products"
    }
}
