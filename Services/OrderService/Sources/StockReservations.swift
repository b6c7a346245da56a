import Contracts
import Foundation
import HTTPClient
import ServiceKit

/// The saga's stock step and its compensation, over the Product service's internal routes.
/// The reservation id is the saga's (``SagaRecord/reservationID``), so every retry and every
/// recovery names the same reservation and the Product service applies it at most once.
struct StockReservations: StockReserving {
    let peer: InternalClient

    func reserve(_ reservationID: String, items: [StockReservationRequest.Item]) async -> StepOutcome<StockReservationResponse> {
        let response: HTTPClientResponse
        do {
            response = try await peer.send(
                try peer.request(
                    "POST", "/internal/stock/reservations", json: StockReservationRequest(reservationID: reservationID, items: items)))
        } catch {
            let (failure, uncertain) = unavailable("product", error)
            return .failed(failure, uncertain: uncertain)
        }
        switch response.status {
        case 200, 201:
            guard let reservation = try? response.decode(StockReservationResponse.self) else {
                return .failed(unexpected("product", response).0, uncertain: true)
            }
            guard reservation.status == "reserved" else {
                // Released before it was made: a compensation already ran for this order.
                return .failed(SagaFailure(.conflict, "the order's stock reservation was released"), uncertain: false)
            }
            return .completed(reservation)
        case 409, 422:
            guard let envelope = response.errorEnvelope else { return .failed(unexpected("product", response).0, uncertain: false) }
            let code = ErrorCode(rawValue: envelope.error.code)
            guard code == .insufficientStock || code == .unknownProduct else {
                return .failed(unexpected("product", response).0, uncertain: false)
            }
            return .failed(SagaFailure(code, envelope.error.message, details: envelope.error.details), uncertain: false)
        default:
            let (failure, uncertain) = unexpected("product", response)
            return .failed(failure, uncertain: uncertain)
        }
    }

    /// Gives the reservation back; also fine when it never existed (the Product service then
    /// records it as released, so a late reserve with the same id reserves nothing).
    func release(_ reservationID: String) async throws {
        let response = try await peer.send(
            peer.request("POST", "/internal/stock/reservations/\(InternalClient.segment(reservationID))/release"))
        guard response.isSuccess else { throw UnexpectedStatus(response: response) }
    }
}
