import Contracts
import Foundation
import Hummingbird
import Postgres
import ServiceKit

/// `POST /api/v1/analytics/events`: anonymous, bearer, or an API key with `analytics:write`.
struct AnalyticsController: Sendable {
    let pool: PostgresPool

    struct Batch: Decodable {
        var events: [Event]?
    }

    struct Event: Decodable {
        var eventName: String?
        var sessionID: String?
        var properties: [String: JSONValue]?
        var referrer: String?
        var utmSource: String?
        var utmMedium: String?
        var utmCampaign: String?

        enum CodingKeys: String, CodingKey {
            case properties, referrer
            case eventName = "event_name", sessionID = "session_id", utmSource = "utm_source"
            case utmMedium = "utm_medium", utmCampaign = "utm_campaign"
        }
    }

    struct Accepted: ResponseEncodable {
        var accepted: Int
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.post("events", use: record)
        return routes
    }

    @Sendable func record(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Accepted> {
        let events = try await request.decode(as: Batch.self, context: context).events ?? []
        var errors = FieldErrors()
        errors.check((1...500).contains(events.count), "events", "must hold 1 to 500 events")
        for (index, event) in events.enumerated() {
            errors.check((1...100).contains(event.eventName.map(FieldErrors.length) ?? 0), "events[\(index)].event_name", "is required (at most 100 characters)")
            for (field, value) in [("session_id", event.sessionID), ("utm_source", event.utmSource), ("utm_medium", event.utmMedium),
                                   ("utm_campaign", event.utmCampaign)] {
                errors.check((value.map(FieldErrors.length) ?? 0) <= 255, "events[\(index)].\(field)", "must be at most 255 characters")
            }
            errors.check((event.referrer.map(FieldErrors.length) ?? 0) <= 2000, "events[\(index)].referrer", "must be at most 2000 characters")
        }
        try errors.throwIfAny()
        let encoder = JSONEncoder()
        let now = Date().postgresText
        let rows = try events.map { event -> [PostgresBind] in
            let properties = String(decoding: try encoder.encode(event.properties ?? [:]), as: UTF8.self)
            return [
                PostgresBind(type: .text, text: event.eventName), PostgresBind(type: .text, text: context.principal?.uid),
                PostgresBind(type: .text, text: event.sessionID), PostgresBind(type: .jsonb, text: properties),
                PostgresBind(type: .text, text: context.clientIP(request)),
                PostgresBind(type: .text, text: request.headers[.userAgent].map { String($0.prefix(1000)) }),
                PostgresBind(type: .text, text: event.referrer), PostgresBind(type: .text, text: event.utmSource),
                PostgresBind(type: .text, text: event.utmMedium), PostgresBind(type: .text, text: event.utmCampaign),
                PostgresBind(type: .timestamptz, text: now),
            ]
        }
        _ = try await pool.withConnection { connection in
            try await connection.copy(
                into: "analytics_events",
                columns: ["event_name", "user_uid", "session_id", "properties", "ip_address", "user_agent", "referrer",
                          "utm_source", "utm_medium", "utm_campaign", "created_at"],
                rows: rows)
        }
        return EditedResponse(status: .accepted, response: Accepted(accepted: events.count))
    }
}
