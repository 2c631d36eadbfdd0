// Hand-vectorised loops that Swift cannot vectorise itself: Swift's Float.squareRoot keeps
// C's errno path for negative inputs, which stops LLVM from using packed square roots, and a
// generic x86-64 build has no AVX. These functions are compiled for AVX-512 and called only
// when the CPU has it (numeral_has_avx512f). Called from NumeralCore/Kernels only.
#pragma once
#include <stdint.h>

/// 1 when the CPU supports AVX-512F.
int numeral_has_avx512f(void);

/// The Adam/AdamW step of Kernels.adamUpdate (OptimizerMath.swift) on the first
/// 16·⌊n/16⌋ elements, same operations in the same order per element; returns how many
/// elements it did (the caller finishes the tail). Needs AVX-512F.
///     g' = g + l2·w;  m = β₁m + (1−β₁)g';  v = β₂v + (1−β₂)g'g'
///     w = w·decay − lr·(m·c1) / (√(v·c2) + ε)      (c1 = 1/(1−β₁ᵗ), c2 = 1/(1−β₂ᵗ))
int64_t numeral_adam_avx512(float *w, const float *g, float *m, float *v, int64_t n,
                            float learningRate, float beta1, float beta2, float c1, float c2,
                            float epsilon, float l2, float decay);
