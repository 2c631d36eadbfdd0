#include "CNumeralSIMD.h"
#include <immintrin.h>

int numeral_has_avx512f(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

__attribute__((target("avx512f")))
int64_t numeral_adam_avx512(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                            int64_t n, float learningRate, float beta1, float beta2, float c1, float c2,
                            float epsilon, float l2, float decay) {
    const __m512 b1 = _mm512_set1_ps(beta1), b1c = _mm512_set1_ps(1 - beta1);
    const __m512 b2 = _mm512_set1_ps(beta2), b2c = _mm512_set1_ps(1 - beta2);
    const __m512 vc1 = _mm512_set1_ps(c1), vc2 = _mm512_set1_ps(c2), eps = _mm512_set1_ps(epsilon);
    const __m512 vl2 = _mm512_set1_ps(l2), vdecay = _mm512_set1_ps(decay), lr = _mm512_set1_ps(learningRate);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 wi = _mm512_loadu_ps(w + i);
        // Separate multiplies and adds (no FMA), so each element rounds as the Swift loop does.
        __m512 gi = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(vl2, wi));
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(b1c, gi));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)), _mm512_mul_ps(_mm512_mul_ps(b2c, gi), gi));
        __m512 step = _mm512_div_ps(_mm512_mul_ps(lr, _mm512_mul_ps(mi, vc1)),
                                    _mm512_add_ps(_mm512_sqrt_ps(_mm512_mul_ps(vi, vc2)), eps));
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        _mm512_storeu_ps(w + i, _mm512_sub_ps(_mm512_mul_ps(wi, vdecay), step));
    }
    return i;
}
