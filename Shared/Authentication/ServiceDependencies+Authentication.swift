import Contracts
import HTTPClient
import ServiceKit

extension ServiceDependencies {
    /// A verifier for the stack's tokens (keys fetched from the User service's JWKS) and, with
    /// `FIREBASE_PROJECT_ID` set, Firebase ID tokens; for services other than the User service.
    public func tokenVerifier(client: CurlHTTPClient) -> TokenVerifier {
        TokenVerifier(
            configuration: TokenVerifierConfiguration(
                environment: configuration.environment, userServiceURL: configuration.url(of: .user)),
            client: client, logger: logger)
    }
}
