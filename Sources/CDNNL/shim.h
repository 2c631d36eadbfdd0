// oneDNN's C API (Debian: libdnnl-dev, built with OpenMP).
#include <dnnl.h>
// libgomp's per-thread team size (omp.h is not on clang's include path on Debian).
void omp_set_num_threads(int);
// glibc's allocator tuning (Kernels.keepLargeAllocationsInHeap); the kernels' only other
// system dependency, so it shares this module.
#include <malloc.h>
