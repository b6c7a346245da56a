import Foundation
import Gateway
import Postgres
import ServiceKit
import TestSupport

/// The gateway with every upstream pointing at `baseURL` unless `environment` says otherwise.
func gatewayConfiguration(upstream baseURL: String, environment: [String: String] = [:]) async throws -> ServiceConfiguration {
    try await serviceTestConfiguration(
        GatewayApp.defaults,
        environment: ["USER_SERVICE_URL": baseURL, "PRODUCT_SERVICE_URL": baseURL, "ORDER_SERVICE_URL": baseURL]
            .merging(environment) { $1 })
}
