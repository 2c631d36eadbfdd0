public import Hummingbird
public import Logging

/// Per-request state: Hummingbird's core storage plus what `RequestMiddleware` fills in.
public struct NumeralRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-Id` the client sent (if sane), else one made up; echoed in the response.
    public var requestID = ""
    /// Set from `--max-upload-mb` by `RequestMiddleware`, so every body is read with
    /// `request.body.collect(upTo: context.maxUploadSize)`.
    public var uploadLimit = 2 * 1024 * 1024

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { uploadLimit }
}
