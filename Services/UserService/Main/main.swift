import UserService
import ServiceKit

await ServiceMain.run(defaults: UserServiceApp.defaults) { configuration in
    UserServiceApp.buildApplication(configuration: configuration)
}
