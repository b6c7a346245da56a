import Foundation

/// A category as the API shows it.
public struct CategoryResponse: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    @NullEncoded public var description: String?
    @NullEncoded public var parentID: Int?
    public var slug: String
    public var sortOrder: Int
    @NullEncoded public var imageURL: String?
    public var status: String
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, description, slug, status
        case parentID = "parent_id", sortOrder = "sort_order", imageURL = "image_url"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        id: Int, name: String, description: String?, parentID: Int?, slug: String, sortOrder: Int, imageURL: String?,
        status: String, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.parentID = parentID
        self.slug = slug
        self.sortOrder = sortOrder
        self.imageURL = imageURL
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A product as the API shows it; `cost_price` and `margin_percentage` only to admins.
public struct ProductResponse: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    @NullEncoded public var description: String?
    public var price: Money
    public var stock: Int
    public var categoryID: Int
    public var sku: String
    @NullEncoded public var imageURL: String?
    public var status: String
    public var tags: [String]
    public var slug: String
    public var isFeatured: Bool
    /// Left out when absent: customers never see it (nor the margin).
    public var costPrice: Money?
    public var marginPercentage: Double?
    /// Mean rating of approved reviews, two places (0 when there are none).
    public var ratingAverage: Double
    /// Approved reviews.
    public var reviewCount: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, description, price, stock, sku, status, tags, slug
        case categoryID = "category_id", imageURL = "image_url", isFeatured = "is_featured", costPrice = "cost_price"
        case marginPercentage = "margin_percentage", ratingAverage = "rating_average", reviewCount = "review_count"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        id: Int, name: String, description: String?, price: Money, stock: Int, categoryID: Int, sku: String,
        imageURL: String?, status: String, tags: [String], slug: String, isFeatured: Bool, costPrice: Money?,
        marginPercentage: Double?, ratingAverage: Double, reviewCount: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.price = price
        self.stock = stock
        self.categoryID = categoryID
        self.sku = sku
        self.imageURL = imageURL
        self.status = status
        self.tags = tags
        self.slug = slug
        self.isFeatured = isFeatured
        self.costPrice = costPrice
        self.marginPercentage = marginPercentage
        self.ratingAverage = ratingAverage
        self.reviewCount = reviewCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A product review as the API shows it.
public struct ReviewResponse: Codable, Sendable, Equatable {
    public var id: Int
    public var productID: Int
    public var userUID: String
    @NullEncoded public var orderID: Int?
    public var rating: Int
    @NullEncoded public var title: String?
    @NullEncoded public var comment: String?
    public var isVerifiedPurchase: Bool
    public var isApproved: Bool
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, rating, title, comment
        case productID = "product_id", userUID = "user_uid", orderID = "order_id"
        case isVerifiedPurchase = "is_verified_purchase", isApproved = "is_approved"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        id: Int, productID: Int, userUID: String, orderID: Int?, rating: Int, title: String?, comment: String?,
        isVerifiedPurchase: Bool, isApproved: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.productID = productID
        self.userUID = userUID
        self.orderID = orderID
        self.rating = rating
        self.title = title
        self.comment = comment
        self.isVerifiedPurchase = isVerifiedPurchase
        self.isApproved = isApproved
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
