import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/users/me`: the caller's own profile.
struct UsersController: Sendable {
    let directory: UserDirectory
    let exporter: AccountExporter

    /// Fields a user may change; a JSON `null` clears `phone_number`.
    struct ProfilePatch: Decodable {
        var firstName: String?
        var lastName: String?
        var phoneNumber: String??
        var timezone: String?
        var language: String?

        enum CodingKeys: String, CodingKey {
            case timezone, language
            case firstName = "first_name", lastName = "last_name", phoneNumber = "phone_number"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            firstName = try container.decodeIfPresent(String.self, forKey: .firstName)
            lastName = try container.decodeIfPresent(String.self, forKey: .lastName)
            phoneNumber = container.contains(.phoneNumber)
                ? .some(try container.decodeIfPresent(String.self, forKey: .phoneNumber)) : .none
            timezone = try container.decodeIfPresent(String.self, forKey: .timezone)
            language = try container.decodeIfPresent(String.self, forKey: .language)
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("me", use: me)
        routes.get("me/export", use: export)
        routes.patch("me", use: patch)
        routes.delete("me", use: delete)
        return routes
    }

    @Sendable func me(_ request: Request, context: ServiceRequestContext) async throws -> UserResponse {
        let principal = try context.requireUser()
        guard let user = try await directory.user(uid: principal.uid), user.deletedAt == nil else {
            throw APIError.notFound("user")
        }
        return user.response
    }

    @Sendable func export(_ request: Request, context: ServiceRequestContext) async throws -> AccountExport {
        let principal = try context.requireUser()
        guard !principal.isAPIKey, let authorization = request.headers[.authorization] else {
            throw APIError(.forbidden, "an export is the signed-in user's own: use their token")
        }
        return try await exporter.export(principal, authorization: authorization)
    }

    @Sendable func patch(_ request: Request, context: ServiceRequestContext) async throws -> UserResponse {
        let principal = try context.requireUser()
        let body = try await request.decode(as: ProfilePatch.self, context: context)
        let firstName = body.firstName.map(FieldErrors.trimmed)
        let lastName = body.lastName.map(FieldErrors.trimmed)
        var errors = FieldErrors()
        errors.check(name: body.firstName, "first_name", length: 1...100, "must be 1 to 100 characters")
        errors.check(name: body.lastName, "last_name", length: 1...100, "must be 1 to 100 characters")
        if case .some(.some(let phone)) = body.phoneNumber {
            errors.check(phone, "phone_number", length: 3...32, "must be 3 to 32 characters")
        }
        errors.check(body.timezone.map(FieldErrors.isTimezone) ?? true, "timezone", "must be a time zone name such as Europe/Paris")
        errors.check(body.language.map(FieldErrors.isLanguage) ?? true, "language", "must be a language tag such as en")
        try errors.throwIfAny()
        let updated = try await directory.update(uid: principal.uid) { user in
            if let firstName { user.firstName = firstName }
            if let lastName { user.lastName = lastName }
            if case .some(let phone) = body.phoneNumber { user.phoneNumber = phone }
            if let timezone = body.timezone { user.timezone = timezone }
            if let language = body.language { user.language = language }
        }
        guard let updated else { throw APIError.notFound("user") }
        return updated.response
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requireUser()
        guard try await directory.softDelete(uid: principal.uid) else { throw APIError.notFound("user") }
        context.logger.info("user deleted their account")
        return Response(status: .noContent)
    }
}
