import Foundation

/// JSON as the API writes it: the types spell out their snake_case keys; dates are RFC 3339.
public let contractEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return encoder
}()

/// Reads JSON as the API writes it (see ``contractEncoder``).
public let contractDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
}()
