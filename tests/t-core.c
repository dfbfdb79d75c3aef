/* Status codes, checked sizes, version, the BLAS seam, and input text quoted for messages. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../libam/core/quote.h"
#include "am/am.h"
#include "tap.h"

/* am__quote: printable ASCII kept, quotes, backslashes and every other byte escaped, long text cut. */
static void quoting(void)
{
    char b[AM__QUOTE_SIZE];
    ok(!strcmp(am__quote(b, sizeof b, "sneaker", 7), "\"sneaker\""), "plain text in double quotes: %s", b);
    ok(!strcmp(am__quote(b, sizeof b, "a\"b\\c", 5), "\"a\\\"b\\\\c\""), "quote and backslash escaped: %s", b);
    ok(!strcmp(am__quote(b, sizeof b, "a\0\x01\n\r\x1b[2J\x7f", 10), "\"a\\x00\\x01\\x0a\\x0d\\x1b[2J\\x7f\""),
       "NUL, control bytes and DEL as \\xNN: %s", b);
    ok(!strcmp(am__quote(b, sizeof b, "\xc3\xa9\xff\xfe", 4), "\"\\xc3\\xa9\\xff\\xfe\""),
       "bytes >= 0x80 (UTF-8 or not) as \\xNN: %s", b);
    ok(!strcmp(am__quote(b, sizeof b, NULL, 0), "\"\""), "no text: two quotes");
    char longer[300];
    memset(longer, 'x', sizeof longer);
    am__quote(b, sizeof b, longer, sizeof longer);
    size_t n = strlen(b);
    ok(n < sizeof b && n > 80 && !strcmp(b + n - 4, "\xe2\x80\xa6\""), "long text cut with an ellipsis (%zu bytes)", n);
    memset(longer, 1, sizeof longer);
    am__quote(b, 16, longer, sizeof longer);
    ok(!strcmp(b, "\"\\x01\\x01\xe2\x80\xa6\""), "cut at a whole escape, within the buffer: %s", b);
    am__quote(b, 16, "abcdefghijklm", 13);
    ok(!strcmp(b, "\"abcdefghijklm\""), "text that just fits is not cut: %s", b);
    am__quote(b, 16, "abcdefghijklmn", 14);
    ok(strlen(b) < 16 && !strcmp(b + strlen(b) - 4, "\xe2\x80\xa6\""), "one byte more is cut: %s", b);
    ok(!strcmp(AM__QUOTE("x\ty"), "\"x\\x09y\""), "AM__QUOTE of a string");
    b[0] = 'z';
    ok(am__quote(b, 4, "abc", 3) == b && b[0] == 0, "a buffer too small for anything: empty");
}

int main(void)
{
    quoting();
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
