import Contracts
import Foundation
import Gateway
import OrderService
import ProductService
import ServiceKit
import TestSupport
import Testing
import UserService

/// Every route a service serves has a documented operation in its `docs/openapi/<service>.json`,
/// and every documented operation is served.
@Suite("OpenAPI documents cover the routes")
struct OpenAPICoverageTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    /// `METHOD /path` for each operation of a document.
    static func documentedOperations(_ service: String) throws -> Set<String> {
        let url = TestEnvironment.repositoryRoot.appending(path: "docs/openapi/\(service).json")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
        guard let paths = document["paths"]?.objectValue else { throw TestSetupError("\(service).json has no paths") }
        var operations: Set<String> = []
        for (path, item) in paths {
            guard let item = item.objectValue else { continue }
            for method in item.keys where methods.contains(method) { operations.insert("\(method.uppercased()) \(path)") }
        }
        return operations
    }

    @Test(arguments: ["user-service", "product-service", "order-service", "gateway"])
    func routesAndDocumentedOperationsAreTheSame(service: String) async throws {
        switch service {
        case "user-service": _ = try await UserServiceApp.buildApplication(configuration: try await serviceTestConfiguration(UserServiceApp.defaults))
        case "product-service": _ = try ProductServiceApp.buildApplication(configuration: try await serviceTestConfiguration(ProductServiceApp.defaults))
        case "order-service": _ = try OrderServiceApp.buildApplication(configuration: try await serviceTestConfiguration(OrderServiceApp.defaults))
        default: _ = try GatewayApp.buildApplication(configuration: try await serviceTestConfiguration(GatewayApp.defaults))
        }
        let served = RouteInventory.routes(of: service)
        let documented = try Self.documentedOperations(service)
        #expect(!served.isEmpty)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }
}
