import Foundation
import Gateway
import HTTPClient
import TestSupport
import Testing

/// libcurl sends a request through the proxy that `http_proxy` or `ALL_PROXY` names unless it is
/// told not to. A gateway started where those are set (a corporate machine, a cluster with an
/// egress proxy) must still call the services directly: the calls carry the caller's token and
/// the internal one.
@Suite("Gateway: proxy variables in its environment")
struct ProxyEnvironmentTests {
    @Test func servicesAreCalledDirectlyWhateverTheProxyVariablesSay() async throws {
        try await TestUpstream().makeApplication().withLiveServer { upstream in
            let port = try await ShellCommand.freePort()
            let nowhere = "http://127.0.0.1:9"
            let configuration = try await gatewayConfiguration(
                upstream: upstream,
                environment: [
                    "PORT": "\(port)", "JWKS_URL": "\(upstream)/.well-known/jwks.json",
                    "http_proxy": nowhere, "HTTP_PROXY": nowhere, "ALL_PROXY": nowhere, "all_proxy": nowhere,
                ])
            let gateway = try ChildProcess(executable: "gateway", environment: configuration.environment)
            defer { gateway.send(SIGKILL) }
            try await waitForPort(port)
            let client = CurlHTTPClient(configuration: .init(retry: .never), logger: TestEnvironment.logger("proxy-environment"))
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/products/7"))
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))\n\(gateway.log.suffix(2000))")
            #expect(response.header("X-Upstream") == "echo")
        }
    }
}
