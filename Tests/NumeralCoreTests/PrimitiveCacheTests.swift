@testable import NumeralCore
import Testing

/// The oneDNN convolution primitives are cached by geometry; a process that meets one
/// architecture after another (a search, a fuzzer) must not grow the cache without end.
@Suite struct PrimitiveCacheTests {
    @Test func theCacheStaysBounded() {
        for outputChannels in 1...(DNNLConvolution.cacheLimit + 20) {
            let g = Conv2DGeometry(batch: 1, inputChannels: 1, height: 4, width: 4, outputChannels: outputChannels,
                                   kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0)
            _ = DNNLConvolution.get(g, .forward(relu: false))
            #expect(DNNLConvolution.cachedCount <= DNNLConvolution.cacheLimit)
        }
    }
}
