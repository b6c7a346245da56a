import Foundation

/// JSON as the API writes it: the types spell out their snake_case keys; dates are RFC 3339.
public let contractEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return encoder
}()

/// Reads JSON as the API writes it (see ``contractEncoder``); dates as any RFC 3339 date-time
/// (``RFC3339``), fractions of a second and offsets included, as the documents promise.
public let contractDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
        let container = try decoder.singleValueContainer()
        guard let date = RFC3339.date(from: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time")
        }
        return date
    }
    return decoder
}()
