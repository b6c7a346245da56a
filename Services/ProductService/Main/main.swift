import ProductService
import ServiceKit

await ServiceMain.run(defaults: ProductServiceApp.defaults) { configuration in
    ProductServiceApp.buildApplication(configuration: configuration)
}
