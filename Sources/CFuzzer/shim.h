#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs with their own main (LLVM 11 and later). It is
// linked only into builds made with -sanitize=fuzzer (scripts/fuzz), and only those call it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
