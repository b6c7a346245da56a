import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's blocking thread pool: a hash takes tens of milliseconds of CPU and must
/// not hold a Swift concurrency thread.
struct PasswordHasher: Sendable {
    /// `BCRYPT_COST`, at least 10.
    let cost: UInt8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash to verify against when the account does not exist, so a wrong email takes as
    /// long as a wrong password and does not reveal which accounts exist.
    static let decoy = Bcrypt.hash("decoy password", cost: 10)
}
