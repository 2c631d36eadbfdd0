/// What kind of body a request carries.
enum Upload {
    /// `image/PNG; charset=x` → `image/png`; `nil` when there is no Content-Type.
    static func mediaType(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingSpaces.lowercased()
    }

    enum ImageKind: String { case png = "image/png", jpeg = "image/jpeg" }

    /// The image format by its magic number, whatever the client claimed.
    static func sniff(_ bytes: some Collection<UInt8>) -> ImageKind? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }
}
