/// `POST /internal/stock/reservations`: reserve every item or none, once per `reservation_id`.
public struct StockReservationRequest: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var productID: Int
        public var quantity: Int

        enum CodingKeys: String, CodingKey {
            case quantity
            case productID = "product_id"
        }

        public init(productID: Int, quantity: Int) {
            self.productID = productID
            self.quantity = quantity
        }
    }

    /// Chosen by the caller (the order saga): repeating it returns the first result.
    public var reservationID: String
    public var items: [Item]

    enum CodingKeys: String, CodingKey {
        case items
        case reservationID = "reservation_id"
    }

    public init(reservationID: String, items: [Item]) {
        self.reservationID = reservationID
        self.items = items
    }
}

/// A reservation with the name, sku and price of each item as they were when it was made.
public struct StockReservationResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var productID: Int
        public var quantity: Int
        public var name: String
        public var sku: String
        public var unitPrice: Money

        enum CodingKeys: String, CodingKey {
            case quantity, name, sku
            case productID = "product_id", unitPrice = "unit_price"
        }

        public init(productID: Int, quantity: Int, name: String, sku: String, unitPrice: Money) {
            self.productID = productID
            self.quantity = quantity
            self.name = name
            self.sku = sku
            self.unitPrice = unitPrice
        }
    }

    public var reservationID: String
    /// `reserved` or `released`.
    public var status: String
    public var items: [Item]

    enum CodingKeys: String, CodingKey {
        case status, items
        case reservationID = "reservation_id"
    }

    public init(reservationID: String, status: String, items: [Item]) {
        self.reservationID = reservationID
        self.status = status
        self.items = items
    }
}

/// `GET /internal/purchases/verify` on the Order service: did this user buy this product?
public struct PurchaseVerification: Codable, Sendable, Equatable {
    public var verified: Bool
    public var orderID: Int?

    enum CodingKeys: String, CodingKey {
        case verified
        case orderID = "order_id"
    }

    public init(verified: Bool, orderID: Int?) {
        self.verified = verified
        self.orderID = orderID
    }
}
