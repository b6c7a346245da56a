import Contracts
import Foundation
import HTTPClient
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

/// Users signed in with a Firebase ID token are customers the services know: their profile is
/// made on first use, once however many first requests race, and they order and review like
/// anyone; a deleted account can do neither, even with a token that has not expired.
@Suite("Users signed in elsewhere, and deleted ones")
struct FirebaseUserTests {
    let firebase: TestFirebase

    init() throws { firebase = try TestFirebase() }

    @Test func aFirebaseUserIsProvisionedOnceAndOrdersAndReviews() async throws {
        try await firebase.withKeyServer { [firebase] jwks in
            try await withOrderStack(everyService: firebase.environment(jwksURL: jwks)) { stack in
                let lamp = try await stack.product("Lamp", price: "12.00", stock: 10)
                let token = try await firebase.idToken(uid: "fb-ada", email: "Ada@Example.com", name: "Ada King Lovelace")
                // Eight first requests at once, each making sure the profile exists.
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<8 { group.addTask { try await stack.orders.send("/api/v1/orders", headers: bearer(token)).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses == Array(repeating: .ok, count: 8))
                // The Order service had the User service make the profile (nothing else was asked yet).
                let made = try await stack.http.decoding(
                    UserResponse.self,
                    from: HTTPClientRequest(url: "\(stack.userURL)/internal/users/fb-ada", headers: [("X-Internal-Token", TestCredentials.internalToken)]),
                    decoder: contractDecoder)
                #expect(made.email == "ada@example.com" && made.status == "active")

                let me = try await stack.http.decoding(
                    UserResponse.self, from: HTTPClientRequest(url: "\(stack.userURL)/api/v1/users/me", headers: [("Authorization", "Bearer \(token)")]),
                    decoder: contractDecoder)
                #expect(me.uid == "fb-ada" && me.email == "ada@example.com" && me.emailVerified)
                #expect(me.firstName == "Ada" && me.lastName == "King Lovelace" && me.roles == ["customer"])

                let placed = try await stack.orders.placeOrder([(lamp.id, 2)], as: token)
                #expect(placed.status == .created)
                #expect(try decode(OrderResponse.self, placed).userUID == "fb-ada")
                #expect(try await stack.review(lamp.id, as: token).isVerifiedPurchase)

                // The account has no password here: a password login never gets in.
                let login = try await stack.http.execute(
                    try .json(method: "POST", url: "\(stack.userURL)/api/v1/auth/login", body: ["email": "ada@example.com", "password": "any-password-1"]))
                #expect(login.status == 401)
            }
        }
    }

    @Test func anEmailRegisteredWithAPasswordIsNotTakenOver() async throws {
        try await firebase.withKeyServer { [firebase] jwks in
            try await withOrderStack(everyService: firebase.environment(jwksURL: jwks)) { stack in
                // c1@example.com registered with a password (TestTokens).
                let token = try await firebase.idToken(uid: "fb-intruder", email: "c1@example.com")
                let answer = try await stack.orders.send("/api/v1/orders", headers: bearer(token))
                #expect(answer.status == .conflict)
                #expect(errorCode(answer) == "email_taken")
            }
        }
    }

    @Test func aDeletedAccountCanNeitherOrderNorReview() async throws {
        try await withOrderStack { stack in
            let lamp = try await stack.product("Lamp", price: "12.00", stock: 10)
            let token = stack.tokens.otherCustomer
            let deleted = try await stack.http.execute(
                HTTPClientRequest(method: "DELETE", url: "\(stack.userURL)/api/v1/users/me", headers: [("Authorization", "Bearer \(token)")]))
            #expect(deleted.status == 204)

            // The token is still valid for a while; the account is not.
            let refused = try await stack.orders.placeOrder([(lamp.id, 1)], as: token)
            #expect(refused.status == .forbidden)
            let envelope = try decode(ErrorEnvelope.self, refused)
            #expect(envelope.error.code == "forbidden")
            let orderID = try #require(envelope.error.details?["order_id"]?.intValue)
            let order = try decode(OrderResponse.self, try await stack.orders.send("/api/v1/orders/\(orderID)", headers: bearer(token)))
            #expect(order.status == "failed")
            #expect(try await stack.stock(lamp.id) == 10)
            #expect(try await stack.reserved(lamp.id) == 0)

            let review = try await stack.http.execute(
                try .json(
                    method: "POST", url: "\(stack.productURL)/api/v1/products/\(lamp.id)/reviews", body: ["rating": 5],
                    headers: [("Authorization", "Bearer \(token)")]))
            #expect(review.status == 403)
            #expect(review.errorEnvelope?.error.message == "the user account is deleted")
        }
    }
}
