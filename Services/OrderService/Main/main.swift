import OrderService
import ServiceKit

await ServiceMain.run(defaults: OrderServiceApp.defaults) { configuration in
    OrderServiceApp.buildApplication(configuration: configuration)
}
