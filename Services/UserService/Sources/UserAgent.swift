import Foundation
/// Device type, browser and operating system read from a User-Agent header.
struct UserAgent: Equatable {
    let deviceType: String
    let browser: String
    let os: String

    init(_ header: String?) {
        let agent = header ?? ""
        func has(_ word: String) -> Bool { agent.range(of: word, options: .caseInsensitive) != nil }
        if agent.isEmpty {
            deviceType = "unknown"
        } else if has("iPad") || has("Tablet") {
            deviceType = "tablet"
        } else if has("Mobile") || has("iPhone") || has("Android") {
            deviceType = "mobile"
        } else {
            deviceType = "desktop"
        }
        browser =
            if has("Edg/") { "Edge" }
            else if has("OPR/") || has("Opera") { "Opera" }
            else if has("Firefox/") { "Firefox" }
            else if has("Chrome/") || has("CriOS/") { "Chrome" }
            else if has("Safari/") { "Safari" }
            else if has("curl/") { "curl" }
            else { "unknown" }
        os =
            if has("Windows") { "Windows" }
            else if has("iPhone") || has("iPad") || has("iOS") { "iOS" }
            else if has("Mac OS X") || has("Macintosh") { "macOS" }
            else if has("Android") { "Android" }
            else if has("Linux") { "Linux" }
            else { "unknown" }
    }
}
