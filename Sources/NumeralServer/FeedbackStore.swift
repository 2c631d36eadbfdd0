public import Foundation
public import GRDB

/// A person's correction: the number an image really shows, kept with the image so it can
/// become labelled data for fine-tuning.
public struct Feedback: Codable, Equatable, Sendable {
    /// Assigned by the database.
    public var id: Int64?
    public var createdAt: Date
    /// The correct number, as the person typed it (digits, `-`, `.`, `,`, spaces).
    public var text: String
    /// What Numeral read, if the feedback refers to a read.
    public var predicted: String?
    /// The `id` of the `POST /v1/read` answer this corrects, if any.
    public var readID: String?
    public var imageName: String
    /// `image/png` or `image/jpeg`.
    public var imageType: String
    public var image: Data
    /// Name of the model that produced `predicted`.
    public var model: String

    public init(id: Int64? = nil, createdAt: Date = Date(), text: String, predicted: String?, readID: String?,
                imageName: String, imageType: String, image: Data, model: String) {
        self.id = id; self.createdAt = createdAt; self.text = text; self.predicted = predicted
        self.readID = readID; self.imageName = imageName; self.imageType = imageType; self.image = image
        self.model = model
    }
}

extension Feedback: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "feedback"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Feedback in an SQLite file (GRDB), migrated on open; survives restarts.
///
/// One `DatabaseQueue` per process: SQLite serialises writes anyway, and feedback is rare
/// next to reads. Several server instances behind a load balancer each need their own file
/// (or a shared database server; not built).
public final class FeedbackStore: Sendable {
    private let database: DatabaseQueue

    /// Opens (creating if needed) the database at `path`; `nil` is an in-memory database.
    public init(path: String?) throws {
        if let path {
            var configuration = Configuration()
            // Wait for a second process (e.g. an export) instead of failing at once.
            configuration.busyMode = .timeout(5)
            database = try DatabaseQueue(path: path, configuration: configuration)
        } else {
            database = try DatabaseQueue()
        }
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: feedback") { db in
            try db.create(table: "feedback") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("createdAt", .datetime).notNull()
                t.column("text", .text).notNull()
                t.column("predicted", .text)
                t.column("readID", .text).indexed()
                t.column("imageName", .text).notNull()
                t.column("imageType", .text).notNull()
                t.column("image", .blob).notNull()
                t.column("model", .text).notNull()
            }
        }
        return migrator
    }

    /// Stores `feedback` and returns it with its new id.
    public func add(_ feedback: Feedback) async throws -> Feedback {
        try await database.write { db in
            var row = feedback
            try row.insert(db)
            return row
        }
    }

    public func count() async throws -> Int {
        try await database.read { db in try Feedback.fetchCount(db) }
    }

    /// The newest `limit` entries, newest first.
    public func latest(limit: Int) async throws -> [Feedback] {
        try await database.read { db in
            try Feedback.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }
}
