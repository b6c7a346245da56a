import Foundation

/// `POST /api/v1/orders`. Every field is optional here so that a missing one is a 422 with
/// the field named, not a decoding error.
public struct CreateOrderRequest: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var productID: Int?
        public var quantity: Int?

        enum CodingKeys: String, CodingKey {
            case quantity
            case productID = "product_id"
        }

        public init(productID: Int?, quantity: Int?) {
            self.productID = productID
            self.quantity = quantity
        }
    }

    public var items: [Item]?
    /// `card`.
    public var paymentMethod: String?
    public var paymentToken: String?
    /// `standard` or `express`.
    public var shippingMethod: String?

    enum CodingKeys: String, CodingKey {
        case items
        case paymentMethod = "payment_method", paymentToken = "payment_token", shippingMethod = "shipping_method"
    }

    public init(items: [Item]?, paymentMethod: String?, paymentToken: String?, shippingMethod: String?) {
        self.items = items
        self.paymentMethod = paymentMethod
        self.paymentToken = paymentToken
        self.shippingMethod = shippingMethod
    }
}

/// An order as the API shows it.
public struct OrderResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var id: Int
        public var productID: Int
        /// Cached when the order was placed, for historical accuracy.
        public var productName: String
        public var quantity: Int
        public var unitPrice: Money
        public var subtotal: Money
        public var taxAmount: Money
        public var discountAmount: Money
        public var finalPrice: Money

        enum CodingKeys: String, CodingKey {
            case id, quantity, subtotal
            case productID = "product_id", productName = "product_name", unitPrice = "unit_price"
            case taxAmount = "tax_amount", discountAmount = "discount_amount", finalPrice = "final_price"
        }

        public init(
            id: Int, productID: Int, productName: String, quantity: Int, unitPrice: Money, subtotal: Money, taxAmount: Money,
            discountAmount: Money, finalPrice: Money
        ) {
            self.id = id
            self.productID = productID
            self.productName = productName
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.subtotal = subtotal
            self.taxAmount = taxAmount
            self.discountAmount = discountAmount
            self.finalPrice = finalPrice
        }
    }

    public var id: Int
    public var userUID: String
    public var status: String
    public var paymentStatus: String
    @NullEncoded public var paymentMethod: String?
    @NullEncoded public var shippingMethod: String?
    @NullEncoded public var trackingNumber: String?
    public var subtotal: Money
    public var taxAmount: Money
    public var shippingAmount: Money
    public var discountAmount: Money
    public var totalAmount: Money
    @NullEncoded public var failureReason: String?
    public var items: [Item]
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, status, subtotal, items
        case userUID = "user_uid", paymentStatus = "payment_status", paymentMethod = "payment_method"
        case shippingMethod = "shipping_method", trackingNumber = "tracking_number", taxAmount = "tax_amount"
        case shippingAmount = "shipping_amount", discountAmount = "discount_amount", totalAmount = "total_amount"
        case failureReason = "failure_reason", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        id: Int, userUID: String, status: String, paymentStatus: String, paymentMethod: String?, shippingMethod: String?,
        trackingNumber: String?, subtotal: Money, taxAmount: Money, shippingAmount: Money, discountAmount: Money,
        totalAmount: Money, failureReason: String?, items: [Item], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.userUID = userUID
        self.status = status
        self.paymentStatus = paymentStatus
        self.paymentMethod = paymentMethod
        self.shippingMethod = shippingMethod
        self.trackingNumber = trackingNumber
        self.subtotal = subtotal
        self.taxAmount = taxAmount
        self.shippingAmount = shippingAmount
        self.discountAmount = discountAmount
        self.totalAmount = totalAmount
        self.failureReason = failureReason
        self.items = items
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

}

/// `PATCH /api/v1/orders/{id}` (admin).
public struct OrderUpdateRequest: Codable, Sendable, Equatable {
    public var status: String?
    public var trackingNumber: String?

    enum CodingKeys: String, CodingKey {
        case status
        case trackingNumber = "tracking_number"
    }

    public init(status: String?, trackingNumber: String?) {
        self.status = status
        self.trackingNumber = trackingNumber
    }
}

/// A payment movement of an order: its charge (`succeeded` or `failed`) and, after a
/// cancellation or a compensation, its refund (`refunded`).
public struct PaymentResponse: Codable, Sendable, Equatable {
    public var id: Int
    public var orderID: Int
    public var amount: Money
    public var status: String
    @NullEncoded public var paymentMethod: String?
    public var currency: String
    @NullEncoded public var transactionID: String?
    @NullEncoded public var gateway: String?
    @NullEncoded public var gatewayResponse: JSONValue?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, amount, status, currency, gateway
        case orderID = "order_id", paymentMethod = "payment_method", transactionID = "transaction_id"
        case gatewayResponse = "gateway_response", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        id: Int, orderID: Int, amount: Money, status: String, paymentMethod: String?, currency: String, transactionID: String?,
        gateway: String?, gatewayResponse: JSONValue?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.orderID = orderID
        self.amount = amount
        self.status = status
        self.paymentMethod = paymentMethod
        self.currency = currency
        self.transactionID = transactionID
        self.gateway = gateway
        self.gatewayResponse = gatewayResponse
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

}
