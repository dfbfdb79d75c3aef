/* Status codes, checked sizes, version, the BLAS seam. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

int main(void)
{
    size_t r = 0;
    ok(!strcmp(am_strerror(AM_OK), "success"), "am_strerror(AM_OK)");
    int codes[] = {AM_EINVAL,  AM_ENOMEM, AM_EOVERFLOW, AM_EIO,          AM_EFORMAT,    AM_ECHECKSUM, AM_ETRUNC,
                   AM_EVERSION, AM_ESIZE, AM_ENUMERIC,  AM_EEMPTY, AM_EUNSUPPORTED, AM_ENOTFINITE, AM_ERANGE,
                   AM_ECANCELED};
    int distinct = 1;
    for (size_t a = 0; a < sizeof codes / sizeof *codes; a++)
        for (size_t b = a + 1; b < sizeof codes / sizeof *codes; b++)
            distinct &= strcmp(am_strerror(codes[a]), am_strerror(codes[b])) != 0;
    ok(distinct, "every status code has its own message");
    ok(!strcmp(am_strerror(12345), "unknown error"), "unknown code has a message");
    /* System errors keep their errno. */
    ok(am_status_errno(AM_ERRNO(ENOENT)) == ENOENT, "AM_ERRNO(ENOENT) keeps ENOENT");
    ok(!strcmp(am_strerror(AM_ERRNO(ENOSPC)), strerror(ENOSPC)), "a full disk says so: %s", am_strerror(AM_ERRNO(ENOSPC)));
    ok(am_status_errno(AM_EIO) == 0 && am_status_errno(AM_OK) == 0, "library codes carry no errno");

    ok(am_size_mul(1000, 1000, &r) == AM_OK && r == 1000000, "size_mul small");
    ok(am_size_mul(SIZE_MAX / 2 + 1, 2, &r) == AM_EOVERFLOW, "size_mul detects N*N overflow");
    ok(am_size_mul3((size_t)1 << 32, (size_t)1 << 32, 4, &r) == AM_EOVERFLOW, "size_mul3 detects overflow");
    ok(am_size_mul3(3, 5, 7, &r) == AM_OK && r == 105, "size_mul3 value");

    ok(!strcmp(am_version(), AM_VERSION_STRING), "am_version matches the header");
    ok(am_git_commit() && *am_git_commit(), "git commit string is set (%s)", am_git_commit());

    ok(am_blas_corename() && *am_blas_corename(), "OpenBLAS core name: %s", am_blas_corename());
    /* Prescott (SSE3) is never the best choice on a CPU with AVX; SkylakeX is never beaten. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        ok(am_blas_better_coretype("Prescott") && !strcmp(am_blas_better_coretype("Prescott"), "SkylakeX"),
           "a misdetected Prescott core is upgraded to SkylakeX on this AVX-512 CPU");
    else if (__builtin_cpu_supports("avx2"))
        ok(am_blas_better_coretype("Prescott") != NULL, "a misdetected Prescott core is upgraded");
    else
        ok(1, "# SKIP no AVX2 on this CPU");
    ok(am_blas_better_coretype("SkylakeX") == NULL, "SkylakeX needs no upgrade");
    ok(am_blas_better_coretype("COOPERLAKE") == NULL, "core names compare case-insensitively");
    ok(am_blas_better_coretype(NULL) == NULL, "NULL core name is left alone");
    am_blas_set_threads(1);
    ok(am_blas_get_threads() == 1, "BLAS thread count can be set");
    return done_testing();
}
