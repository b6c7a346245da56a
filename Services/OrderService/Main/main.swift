import OrderService
import ServiceKit

await ServiceMain.run(defaults: OrderServiceApp.defaults) { configuration in
    try OrderServiceApp.buildApplication(configuration: configuration)
}
