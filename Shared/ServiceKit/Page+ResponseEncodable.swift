import Contracts
import Hummingbird

/// Lists are answered as they are.
extension Page: ResponseEncodable {}
extension ListResponse: ResponseEncodable {}
