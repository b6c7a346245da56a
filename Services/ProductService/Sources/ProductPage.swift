import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// A listing, written as `Page<ProductResponse>.jsonText` (by hand: JSONEncoder costs more than the query).
struct ProductPage: ResponseGenerator {
    let page: Page<ProductResponse>

    func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(ByteBuffer(string: page.jsonText))
    }
}
