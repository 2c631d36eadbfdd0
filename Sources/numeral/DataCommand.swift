import ArgumentParser
import Foundation
import Numeral

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Get and check the MNIST files.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that a directory holds the four MNIST files, intact.")
        @OptionGroup var data: DataOptions
        func run() throws {
            let train = try MNIST.loadTraining(from: data.directory)
            let test = try MNIST.loadTest(from: data.directory)
            print("\(data.directory): \(train.count) training and \(test.count) test images")
        }
    }
}
