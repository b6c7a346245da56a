import Contracts
import Foundation
import Testing

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [
        ("19.99", 1_999), ("-3", -300), ("0.5", 50), ("  7.10\t", 710), ("1.500", 150), ("12.", 1_200), (".25", 25),
        ("0", 0), ("999999999999.99", 99_999_999_999_999),
    ] as [(String, Int64)])
    func amountsAreReadExactly(text: String, cents: Int64) {
        #expect(Money(string: text)?.cents == cents)
    }

    @Test(arguments: ["", " ", "-", ".", "1.234", "1.2.3", "abc", "1 000", "+1", "1e3", "\u{00A0}1", "--1"])
    func anythingElseIsRefused(text: String) {
        #expect(Money(string: text) == nil)
    }

    @Test func writtenWithTwoPlaces() {
        #expect(Money(cents: 1_999).description == "19.99")
        #expect(Money(cents: -5).description == "-0.05")
        #expect(Money(cents: 700).description == "7.00")
        #expect(Money(string: "-3.07")?.description == "-3.07")
    }

    @Test func decimalsAreRoundedHalfUpToCents() {
        #expect(Money(Decimal(string: "2.345")!).cents == 235)
        #expect(Money(Decimal(string: "2.344")!).cents == 234)
    }
}
