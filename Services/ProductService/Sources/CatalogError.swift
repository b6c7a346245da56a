import Contracts
import ServiceKit

/// What the Product service's stores refuse, as domain facts; ``apiError`` is the one place
/// they become the contract's errors.
enum CatalogError: APIErrorConvertible, Equatable {
    /// The category named as `field` (`parent_id`, `category_id`) does not exist.
    case unknownCategory(field: String)
    /// The new parent is the category itself or one of its descendants.
    case parentCycle
    /// Another product has the sku (the unique constraint `products_sku_key`).
    case skuTaken
    /// The user reviewed the product already.
    case alreadyReviewed
    /// A reservation id arrived again with other items than it was made for.
    case reservationReused(String)
    /// The product does not exist or is not for sale.
    case unknownProduct(Int)
    /// Fewer units in stock than asked for.
    case insufficientStock(Int)

    var apiError: APIError {
        switch self {
        case .unknownCategory(let field): .validation([field: "no such category"])
        case .parentCycle: .validation(["parent_id": "would make a cycle"])
        case .skuTaken:
            APIError(.conflict, "a product with this sku already exists", details: ["constraint": .string("products_sku_key")])
        case .alreadyReviewed: APIError(.conflict, "you have already reviewed this product")
        case .reservationReused(let id):
            APIError(.conflict, "reservation \(id) was made for other items", details: ["reservation_id": .string(id)])
        case .unknownProduct(let id):
            APIError(.unknownProduct, "product \(id) does not exist or is not for sale", details: ["product_id": .number(Double(id))])
        case .insufficientStock(let id):
            APIError(.insufficientStock, "not enough stock for product \(id)", details: ["product_id": .number(Double(id))])
        }
    }
}
