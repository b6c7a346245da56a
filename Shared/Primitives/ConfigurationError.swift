/// An environment variable has a value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable) \(reason)" }
}

extension Dictionary where Key == String, Value == String {
    /// The whole number the environment variable `name` holds, `nil` when it is unset; a
    /// ``ConfigurationError`` naming the variable (with `reason`) when the value is not a
    /// whole number within `range`.
    public func integerVariable(
        _ name: String, in range: ClosedRange<Int> = 1...Int.max, reason: String = "must be a positive integer"
    ) throws -> Int? {
        guard let value = self[name] else { return nil }
        guard let number = Int(value), range.contains(number) else { throw ConfigurationError(variable: name, reason: reason) }
        return number
    }
}
