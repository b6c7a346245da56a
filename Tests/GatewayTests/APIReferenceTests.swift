import Foundation
import TestSupport
import Testing

/// `docs/api.md`, the API reference written by hand, names exactly the public operations of
/// the OpenAPI documents (every route outside `/internal/…`), and the repository's docs point
/// at nothing outside it.
@Suite("The API reference matches the OpenAPI documents")
struct APIReferenceTests {
    static let root = TestEnvironment.repositoryRoot

    /// `METHOD /path` of every route row (`| \`GET /path\` | …`) in the reference.
    static func referencedOperations() throws -> Set<String> {
        let text = try String(contentsOf: root.appending(path: "docs/api.md"), encoding: .utf8)
        let pattern = try Regex(#"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`]*)` \|"#).anchorsMatchLineEndings()
        return Set(text.matches(of: pattern).map { String($0.output[1].substring ?? "") + " " + String($0.output[2].substring ?? "") })
    }

    @Test func everyPublicOperationIsDescribedAndNothingElse() throws {
        var documented: Set<String> = []
        for service in ["user-service", "product-service", "order-service", "gateway"] {
            documented.formUnion(try OpenAPICoverageTests.documentedOperations(service).filter { !$0.contains(" /internal/") && !$0.hasPrefix("HEAD ") })
        }
        let referenced = try Self.referencedOperations()
        #expect(referenced.count > 40)
        #expect(documented.subtracting(referenced).sorted() == [], "in the OpenAPI documents but not in docs/api.md")
        #expect(referenced.subtracting(documented).sorted() == [], "in docs/api.md but not in the OpenAPI documents")
    }

    @Test func theDocsStandOnTheirOwn() throws {
        let docs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appending(path: "docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        for file in ["README.md"] + docs {
            let text = try String(contentsOf: Self.root.appending(path: file), encoding: .utf8)
            #expect(!text.contains("../shared"), "\(file) points outside the repository")
        }
    }
}
