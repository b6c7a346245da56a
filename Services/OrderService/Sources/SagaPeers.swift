import Contracts

/// The saga's "validate the user" step as the driver sees it: the User service
/// (``UserAccounts``), or an in-process fake in the driver's tests.
protocol UserValidating: Sendable {
    func validate(uid: String) async -> StepOutcome<Void>
}

/// The saga's stock step and its compensation: the Product service (``StockReservations``),
/// or an in-process fake in the driver's tests.
protocol StockReserving: Sendable {
    func reserve(_ reservationID: String, items: [StockReservationRequest.Item]) async -> StepOutcome<StockReservationResponse>
    /// Gives the reservation back; fine when it never existed. Throws when the service cannot be asked.
    func release(_ reservationID: String) async throws
}
