import ArgumentParser
import Foundation
import Numeral

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Get and check the MNIST files.", subcommands: [Download.self, Verify.self])

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the four MNIST files from the public mirrors and verify their checksums.")
        @Option(help: "Directory to put them in (default: $NUMERAL_DATA, else ./data/mnist).") var to: String?

        func run() async throws {
            let directory = resolveDataDirectory(to)
            try await MNISTFiles.download(to: directory) { print($0) }
            print("MNIST is in \(directory)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a directory holds the four MNIST files, intact (SHA-256 of their contents).")
        @OptionGroup var data: DataOptions
        func run() throws {
            for path in try MNISTFiles.verify(directory: data.directory) { print("\(path): ok") }
            let train = try MNIST.loadTraining(from: data.directory)
            let test = try MNIST.loadTest(from: data.directory)
            print("\(data.directory): \(train.count) training and \(test.count) test images")
        }
    }
}
