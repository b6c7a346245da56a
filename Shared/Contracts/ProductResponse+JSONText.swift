import Primitives
extension ProductResponse {
    /// The response as JSON text, written directly: the same document `encode(to:)` gives with
    /// JSONEncoder's `.iso8601` dates, without its cost on the catalog's hottest route.
    public var jsonText: String {
        var output = String()
        output.reserveCapacity(estimatedJSONLength)
        appendJSON(to: &output)
        return output
    }

    var estimatedJSONLength: Int { 320 + name.utf8.count + (description?.utf8.count ?? 0) }

    /// Appends ``jsonText`` to `output`.
    public func appendJSON(to output: inout String) {
        output += "{\"id\":\(id),\"name\":"
        JSONText.appendString(name, to: &output)
        output += ",\"description\":"
        JSONText.appendString(description, to: &output)
        output += ",\"price\":"
        JSONText.appendString(price.description, to: &output)
        output += ",\"stock\":\(stock),\"category_id\":\(categoryID),\"sku\":"
        JSONText.appendString(sku, to: &output)
        output += ",\"image_url\":"
        JSONText.appendString(imageURL, to: &output)
        output += ",\"status\":"
        JSONText.appendString(status, to: &output)
        output += ",\"tags\":["
        for (index, tag) in tags.enumerated() {
            if index > 0 { output += "," }
            JSONText.appendString(tag, to: &output)
        }
        output += "],\"slug\":"
        JSONText.appendString(slug, to: &output)
        output += isFeatured ? ",\"is_featured\":true" : ",\"is_featured\":false"
        if let costPrice {
            output += ",\"cost_price\":"
            JSONText.appendString(costPrice.description, to: &output)
        }
        if let marginPercentage {
            output += ",\"margin_percentage\":"
            JSONText.appendNumber(marginPercentage, to: &output)
        }
        output += ",\"rating_average\":"
        JSONText.appendNumber(ratingAverage, to: &output)
        output += ",\"review_count\":\(reviewCount),\"created_at\":\""
        output += UTCTimestamp.format(createdAt)
        output += "\",\"updated_at\":\""
        output += UTCTimestamp.format(updatedAt)
        output += "\"}"
    }
}

extension Page where Item == ProductResponse {
    /// The page as JSON text, each product written as ``ProductResponse/jsonText``: the
    /// listing's document without JSONEncoder.
    public var jsonText: String {
        var output = String()
        output.reserveCapacity(64 + data.reduce(0) { $0 + $1.estimatedJSONLength })
        output += "{\"data\":["
        for (index, product) in data.enumerated() {
            if index > 0 { output += "," }
            product.appendJSON(to: &output)
        }
        output += "],\"page\":{\"limit\":\(page.limit),\"offset\":\(page.offset),\"total\":\(page.total)}}"
        return output
    }
}
