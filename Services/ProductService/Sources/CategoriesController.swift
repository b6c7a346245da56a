import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/categories`: anyone reads active categories; admins see all and write.
struct CategoriesController: Sendable {
    let store: CategoryStore

    struct Body: Decodable {
        var fields = CategoryStore.Fields()

        enum CodingKeys: String, CodingKey {
            case name, description, slug, status
            case parentID = "parent_id", sortOrder = "sort_order", imageURL = "image_url"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fields.name = try container.decodeIfPresent(String.self, forKey: .name)
            fields.description = try container.decodePresence(String.self, forKey: .description)
            fields.parentID = try container.decodePresence(Int.self, forKey: .parentID)
            fields.slug = try container.decodeIfPresent(String.self, forKey: .slug)
            fields.sortOrder = try container.decodeIfPresent(Int.self, forKey: .sortOrder)
            fields.imageURL = try container.decodePresence(String.self, forKey: .imageURL)
            fields.status = try container.decodeIfPresent(String.self, forKey: .status)
        }

        func validated(creating: Bool) throws -> CategoryStore.Fields {
            var errors = FieldErrors()
            let name = fields.name.map(FieldErrors.trimmed)
            errors.check(!creating || name != nil, "name", "is required")
            errors.check(name: fields.name, "name", length: 1...255, "must be 1 to 255 characters")
            errors.check(fields.description ?? nil, "description", length: 0...ProductsController.Body.maxDescription,
                         "must be at most \(ProductsController.Body.maxDescription) characters")
            errors.check(fields.imageURL ?? nil, "image_url", length: 0...ProductsController.Body.maxImageURL,
                         "must be at most \(ProductsController.Body.maxImageURL) characters")
            errors.check(fields.slug.map(Slug.isValid) ?? true, "slug", "must be lower-case letters, digits and inner dashes")
            errors.check(fields.status.map { ["active", "inactive"].contains($0) } ?? true, "status", "must be active or inactive")
            errors.check(fields.sortOrder.map { (-1_000_000...1_000_000).contains($0) } ?? true, "sort_order", "is out of range")
            try errors.throwIfAny()
            var result = fields
            result.name = name
            return result
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: list)
        routes.get(":id", use: get)
        routes.post(use: create)
        routes.patch(":id", use: update)
        routes.delete(":id", use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<CategoryResponse> {
        try await store.list(
            parentID: try request.queryInt("parent_id", in: 1...Int(Int32.max)), includeInactive: context.callerMay(.productsWrite),
            page: try request.pageRequest())
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> CategoryResponse {
        guard let category = try await store.get(try context.id(), includeInactive: context.callerMay(.productsWrite)) else {
            throw APIError.notFound("category")
        }
        return category
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<CategoryResponse> {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        let fields = try await request.decode(as: Body.self, context: context).validated(creating: true)
        return EditedResponse(status: .created, response: try await store.create(fields))
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> CategoryResponse {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        let id = try context.id()
        let fields = try await request.decode(as: Body.self, context: context).validated(creating: false)
        guard let category = try await store.update(id, fields) else { throw APIError.notFound("category") }
        return category
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        guard try await store.delete(try context.id()) else { throw APIError.notFound("category") }
        return Response(status: .noContent)
    }
}

extension CategoryResponse: ResponseEncodable {}
