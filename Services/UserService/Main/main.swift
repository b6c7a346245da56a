import ServiceKit
import UserService

await ServiceMain.run(defaults: UserServiceApp.defaults) { configuration in
    try await UserServiceApp.buildApplication(configuration: configuration)
}
