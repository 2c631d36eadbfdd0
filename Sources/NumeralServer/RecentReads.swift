public import Foundation
import NIOConcurrencyHelpers

/// The last few images `POST /v1/read` answered, so `POST /v1/feedback` can refer to one by
/// its id instead of uploading it again.
///
/// Bounded by count and bytes (oldest dropped first) and kept in memory only: a read that
/// was dropped, happened before a restart, or went to another instance behind the load
/// balancer is answered 404 `unknown_read`, and the client sends the image with the
/// feedback instead (the web page always does).
public final class RecentReads: Sendable {
    public struct Entry: Sendable, Equatable {
        public var image: Data
        public var name: String
        public var imageType: String
        public var text: String
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []      // oldest first
        var bytes = 0
    }

    private let state = NIOLockedValueBox(State())
    public let maxEntries: Int
    public let maxBytes: Int

    public init(maxEntries: Int = 256, maxBytes: Int = 64 * 1024 * 1024) {
        precondition(maxEntries > 0 && maxBytes > 0, "RecentReads(maxEntries: \(maxEntries), maxBytes: \(maxBytes))")
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// Remembers `entry` under a new id and returns the id.
    public func remember(_ entry: Entry) -> String {
        let id = UUID().uuidString.lowercased()
        guard entry.image.count <= maxBytes else { return id }
        state.withLockedValue { state in
            state.entries[id] = entry
            state.order.append(id)
            state.bytes += entry.image.count
            while state.order.count > maxEntries || state.bytes > maxBytes {
                let oldest = state.order.removeFirst()
                state.bytes -= state.entries.removeValue(forKey: oldest)?.image.count ?? 0
            }
        }
        return id
    }

    public func entry(for id: String) -> Entry? {
        state.withLockedValue { $0.entries[id] }
    }

    public var count: Int { state.withLockedValue { $0.entries.count } }
}
