import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Product service: categories")
struct CategoryTests {
    @Test func adminsManageTheTreeAndOthersOnlyRead() async throws {
        try await withProductService { client, tokens in
            #expect(try await client.send("/api/v1/categories", .post, body: json(["name": "X"])).status == .unauthorized)
            let forbidden = try await client.send("/api/v1/categories", .post, headers: bearer(tokens.customer), body: json(["name": "X"]))
            #expect(forbidden.status == .forbidden)

            let kitchen = try await client.createCategory("Crème Brûlée & Kitchen", admin: tokens.admin)
            #expect(kitchen.slug == "creme-brulee-kitchen")
            let twin = try await client.createCategory("Crème Brûlée & Kitchen", admin: tokens.admin)
            #expect(twin.slug == "creme-brulee-kitchen-2")
            let taken = try await client.send(
                "/api/v1/categories", .post, headers: bearer(tokens.admin), body: json(["name": "Other", "slug": "creme-brulee-kitchen"]))
            #expect(taken.status == .conflict)

            let pans = try await client.createCategory("Pans", admin: tokens.admin, parent: kitchen.id)
            let woks = try await client.createCategory("Woks", admin: tokens.admin, parent: pans.id)
            let children = try decode(Page<CategoryResponse>.self, try await client.send("/api/v1/categories?parent_id=\(kitchen.id)"))
            #expect(children.data.map(\.id) == [pans.id])
            #expect(children.page.total == 1)

            let orphan = try await client.send(
                "/api/v1/categories", .post, headers: bearer(tokens.admin), body: json(["name": "Orphan", "parent_id": 9999]))
            #expect(orphan.status == .unprocessableContent)
            let cycle = try await client.send(
                "/api/v1/categories/\(kitchen.id)", .patch, headers: bearer(tokens.admin), body: json(["parent_id": woks.id]))
            #expect(cycle.status == .unprocessableContent)
            #expect(errorCode(cycle) == "validation_failed")
            let fetched = try await client.send("/api/v1/categories/\(pans.id)")
            #expect(fetched.status == .ok)
            #expect(try decode(CategoryResponse.self, fetched).parentID == kitchen.id)
            let renamed = try await client.send(
                "/api/v1/categories/\(woks.id)", .patch, headers: bearer(tokens.admin), body: json(["sort_order": 3, "description": "Round"]))
            #expect(try decode(CategoryResponse.self, renamed).sortOrder == 3)

            #expect(try await client.send("/api/v1/categories/\(woks.id)", .delete, headers: bearer(tokens.customer)).status == .forbidden)
            #expect(try await client.send("/api/v1/categories/\(woks.id)", .delete, headers: bearer(tokens.admin)).status == .noContent)
            #expect(try await client.send("/api/v1/categories/\(woks.id)").status == .notFound)
            #expect(try await client.send("/api/v1/categories/\(woks.id)", .delete, headers: bearer(tokens.admin)).status == .notFound)
            #expect(try await client.send("/api/v1/categories/abc").status == .notFound)
        }
    }

    @Test func badQueryValuesAreBadRequests() async throws {
        try await withProductService { client, _ async throws in
            #expect(try await client.send("/api/v1/categories?parent_id=abc").status == .badRequest)
            #expect(try await client.send("/api/v1/categories?limit=500").status == .badRequest)
            #expect(try await client.send("/api/v1/products?sort=price_desc").status == .badRequest)
            #expect(try await client.send("/api/v1/products?min_price=cheap").status == .badRequest)
            #expect(try await client.send("/api/v1/products?is_featured=maybe").status == .badRequest)
        }
    }
}

@Suite("Product service: products")
struct ProductTests {
    @Test func createValidatesAndHidesCostsFromCustomers() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Tea", admin: tokens.admin)
            let base: [String: Any] = ["name": "Blue Kettle", "price": 19.99, "stock": 5, "category_id": category.id, "sku": "K-1",
                                       "cost_price": "12.00", "tags": ["Kitchen", "tea"]]
            let created = try await client.createProduct(base, admin: tokens.admin)
            #expect(created.status == .created)
            let product = try decode(ProductResponse.self, created)
            #expect(product.price == Money(Decimal(string: "19.99")!))
            #expect(product.costPrice == Money(12))
            #expect(product.marginPercentage == 39.97)
            #expect(product.tags == ["kitchen", "tea"])

            let seenByCustomer = try await client.send("/api/v1/products/\(product.id)", headers: bearer(tokens.customer))
            let text = String(buffer: seenByCustomer.body)
            #expect(seenByCustomer.status == .ok)
            #expect(!text.contains("cost_price") && !text.contains("margin_percentage"))
            #expect(text.contains(#""price":"19.99""#))
            #expect(text.contains(#""image_url":null"#))

            // A taken sku, on create and on update: 409 with a message that names it.
            let duplicate = try await client.createProduct(base, admin: tokens.admin)
            #expect(duplicate.status == .conflict)
            #expect(try decode(ErrorEnvelope.self, duplicate).error.message == "a product with this sku already exists")
            var second = base
            second["sku"] = "K-2"
            let other = try decode(ProductResponse.self, try await client.createProduct(second, admin: tokens.admin))
            let renamed = try await client.send(
                "/api/v1/products/\(other.id)", .patch, headers: bearer(tokens.admin), body: json(["sku": "K-1"]))
            #expect(renamed.status == .conflict)
            #expect(try decode(ErrorEnvelope.self, renamed).error.message == "a product with this sku already exists")
            #expect(try await client.createProduct(base, admin: tokens.customer).status == .forbidden)
            for (field, value) in [("price", -1 as Any), ("price", "1.999" as Any), ("stock", -3 as Any), ("category_id", 999 as Any)] {
                var body = base
                body["sku"] = "K-\(field)-\(UUID().uuidString.prefix(4))"
                body[field] = value
                let response = try await client.createProduct(body, admin: tokens.admin)
                #expect(response.status == .unprocessableContent, "\(field)=\(value)")
            }
            var missing = base
            missing.removeValue(forKey: "price")
            #expect(try await client.createProduct(missing, admin: tokens.admin).status == .unprocessableContent)
            var wrongType = base
            wrongType["stock"] = "five"
            #expect(try await client.createProduct(wrongType, admin: tokens.admin).status == .badRequest)
        }
    }

    @Test func customersSeeOnlyActiveProducts() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Drafts", admin: tokens.admin)
            let draft = try await client.product("Secret", category: category.id, admin: tokens.admin, extra: ["status": "draft"])
            #expect(try await client.send("/api/v1/products/\(draft.id)").status == .notFound)
            #expect(try await client.send("/api/v1/products/\(draft.id)", headers: bearer(tokens.customer)).status == .notFound)
            #expect(try await client.send("/api/v1/products/\(draft.id)", headers: bearer(tokens.admin)).status == .ok)
            let anonymous = try decode(Page<ProductResponse>.self, try await client.send("/api/v1/products?category_id=\(category.id)"))
            #expect(anonymous.data.isEmpty)
            let admin = try decode(Page<ProductResponse>.self, try await client.send(
                "/api/v1/products?category_id=\(category.id)&status=draft", headers: bearer(tokens.admin)))
            #expect(admin.data.map(\.id) == [draft.id])
        }
    }

    @Test func listingFiltersSortsSearchesAndPages() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Garden", admin: tokens.admin)
            let other = try await client.createCategory("Office", admin: tokens.admin)
            let hose = try await client.product(
                "Garden Hose", category: category.id, admin: tokens.admin, price: "25.00",
                extra: ["description": "A long green hose for watering plants", "tags": ["water"], "is_featured": true])
            let can = try await client.product(
                "Watering Can", category: category.id, admin: tokens.admin, price: "12.50",
                extra: ["description": "Steel can; good for plants and hose-free watering", "tags": ["water", "steel"]])
            let rake = try await client.product("Rake", category: category.id, admin: tokens.admin, price: "8.00")
            _ = try await client.product("Stapler", category: other.id, admin: tokens.admin, price: "5.00")

            func ids(_ query: String) async throws -> [Int] {
                try decode(Page<ProductResponse>.self, try await client.send("/api/v1/products?\(query)")).data.map(\.id)
            }
            #expect(try await ids("category_id=\(category.id)&sort=price") == [rake.id, can.id, hose.id])
            #expect(try await ids("category_id=\(category.id)&sort=-price") == [hose.id, can.id, rake.id])
            #expect(try await ids("category_id=\(category.id)&sort=name") == [hose.id, rake.id, can.id])
            #expect(try await ids("category_id=\(category.id)&min_price=10&max_price=20") == [can.id])
            #expect(try await ids("tag=water&sort=price") == [can.id, hose.id])
            #expect(try await ids("is_featured=true") == [hose.id])
            // Full-text search ranks a name match above a description match.
            #expect(try await ids("q=hose") == [hose.id, can.id])
            #expect(try await ids("q=watering%20plants").contains(can.id))

            let page = try decode(Page<ProductResponse>.self, try await client.send("/api/v1/products?category_id=\(category.id)&sort=price&limit=2&offset=1"))
            #expect(page.data.map(\.id) == [can.id, hose.id])
            #expect(page.page == PageInfo(limit: 2, offset: 1, total: 3))
        }
    }

    @Test func stockChangesAndSoftDelete() async throws {
        try await withProductService { client, tokens in
            let category = try await client.createCategory("Tools", admin: tokens.admin)
            let saw = try await client.product("Saw", category: category.id, admin: tokens.admin, stock: 7)
            let patched = try await client.send(
                "/api/v1/products/\(saw.id)", .patch, headers: bearer(tokens.admin), body: json(["stock": 3, "price": "9.50"]))
            #expect(patched.status == .ok)
            let updated = try decode(ProductResponse.self, patched)
            #expect(updated.stock == 3)
            #expect(updated.price == Money(Decimal(string: "9.50")!))
            #expect(try await client.send("/api/v1/products/\(saw.id)", .patch, headers: bearer(tokens.admin), body: json(["stock": -1])).status
                == .unprocessableContent)
            #expect(try await client.send("/api/v1/products/\(saw.id)", .patch, headers: bearer(tokens.customer), body: json(["stock": 1])).status
                == .forbidden)
            #expect(try await client.send("/api/v1/products/\(saw.id)", .delete, headers: bearer(tokens.admin)).status == .noContent)
            #expect(try await client.send("/api/v1/products/\(saw.id)", headers: bearer(tokens.admin)).status == .notFound)
            #expect(try await client.send("/api/v1/products/\(saw.id)", .patch, headers: bearer(tokens.admin), body: json(["stock": 1])).status
                == .notFound)
        }
    }
}
