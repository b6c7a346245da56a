import ProductService
import ServiceKit

await ServiceMain.run(defaults: ProductServiceApp.defaults) { configuration in
    try ProductServiceApp.buildApplication(configuration: configuration)
}
