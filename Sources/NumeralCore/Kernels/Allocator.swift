import CDNNL

extension Kernels {
    /// Keeps large freed blocks in the process heap instead of returning them to the kernel.
    ///
    /// A training step allocates activations and gradients of up to tens of megabytes. glibc
    /// serves blocks over its mmap threshold with fresh mappings, so every step paid for page
    /// faults and the kernel zeroing those pages again. With a high threshold the blocks are
    /// reused from the heap. Process-wide, so the executables call it once at start.
    public static func keepLargeAllocationsInHeap() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
