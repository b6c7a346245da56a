import Gateway
import ServiceKit

await ServiceMain.run(defaults: GatewayApp.defaults) { configuration in
    try GatewayApp.buildApplication(configuration: configuration)
}
