import Contracts
import Crypto
import Foundation
import Primitives
import ServiceKit

/// A `POST /api/v1/orders` body validated at the edge, with the fingerprint that tells a
/// replay of an `Idempotency-Key` (same request) from a reuse (another request).
struct OrderPlacement: Sendable {
    var items: [StockReservationRequest.Item]
    var paymentMethod: String
    var paymentToken: String
    var shipping: OrderTotals.Shipping
    /// SHA-256 (hex) of the request in a canonical form.
    var fingerprint: String

    static let paymentMethods = ["card"]

    init(validating body: CreateOrderRequest) throws {
        var errors = FieldErrors()
        let items = body.items ?? []
        errors.check(body.items != nil, "items", "is required")
        errors.check(body.items == nil || (1...50).contains(items.count), "items", "must hold 1 to 50 items")
        errors.check(items.allSatisfy { $0.productID != nil && $0.quantity != nil }, "items", "each item needs product_id and quantity")
        errors.check(items.allSatisfy { ($0.productID ?? 1) > 0 && ($0.productID ?? 1) <= Int(Int32.max) }, "items", "product_id must be a positive id")
        errors.check(items.allSatisfy { (1...100).contains($0.quantity ?? 1) }, "items", "quantity must be 1 to 100")
        errors.check(Set(items.compactMap(\.productID)).count == items.count, "items", "must not repeat a product")
        errors.check(body.paymentMethod != nil, "payment_method", "is required")
        errors.check(body.paymentMethod.map(Self.paymentMethods.contains) ?? true, "payment_method", "must be card")
        errors.check(body.paymentToken != nil, "payment_token", "is required")
        errors.check(body.paymentToken, "payment_token", length: 1...255, "must be 1 to 255 characters")
        errors.check(body.shippingMethod != nil, "shipping_method", "is required")
        errors.check(
            body.shippingMethod.map { OrderTotals.Shipping(rawValue: $0) != nil } ?? true, "shipping_method", "must be standard or express")
        try errors.throwIfAny()

        self.items = items.map { StockReservationRequest.Item(productID: $0.productID!, quantity: $0.quantity!) }
        self.paymentMethod = body.paymentMethod!
        self.paymentToken = body.paymentToken!
        self.shipping = OrderTotals.Shipping(rawValue: body.shippingMethod!)!
        let canonical = CreateOrderRequest(
            items: self.items.map { .init(productID: $0.productID, quantity: $0.quantity) }, paymentMethod: paymentMethod,
            paymentToken: paymentToken, shippingMethod: shipping.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        self.fingerprint = SHA256.hash(data: try encoder.encode(canonical)).hexEncoded
    }

    /// The `Idempotency-Key` header: 1 to 255 visible characters, or absent.
    static func idempotencyKey(_ value: String?) throws -> String? {
        guard let value else { return nil }
        guard (1...255).contains(FieldErrors.length(value)), value.unicodeScalars.allSatisfy({ ("!"..."~").contains($0) }) else {
            throw APIError.validation(["Idempotency-Key": "must be 1 to 255 visible ASCII characters"])
        }
        return value
    }
}
