#include "am/error.h"

#include <errno.h>
#include <string.h>


const char *am_strerror(int status)
{
    switch (status) {
    case AM_OK: return "success";
    case AM_EINVAL: return "invalid argument";
    case AM_ENOMEM: return "out of memory";
    case AM_EOVERFLOW: return "size overflow";
    case AM_EIO: return "read or write failed";
    case AM_EFORMAT: return "not in the expected file format";
    case AM_ECHECKSUM: return "checksum mismatch (file is corrupted)";
    case AM_ETRUNC: return "file is truncated";
    case AM_EVERSION: return "unsupported file format version";
    case AM_ESIZE: return "dimension mismatch";
    case AM_ENUMERIC: return "numerical routine failed";
    case AM_EEMPTY: return "nothing to work on (no stored patterns, neurons, rows or words)";
    case AM_EUNSUPPORTED: return "operation not supported for this model";
    case AM_ENOTFINITE: return "a value that must be finite is NaN or infinite";
    case AM_ERANGE: return "a value is out of range";
    case AM_ECANCELED: return "cancelled";
    default:
        if (am_status_errno(status))
            return strerror(am_status_errno(status));
        return "unknown error";
    }
}

int am_size_mul(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return AM_EOVERFLOW;
    *out = r;
    return AM_OK;
}

int am_size_mul3(size_t a, size_t b, size_t c, size_t *out)
{
    size_t r;
    if (am_size_mul(a, b, &r) || am_size_mul(r, c, &r))
        return AM_EOVERFLOW;
    *out = r;
    return AM_OK;
}

int am_status_errno(int status)
{
    return status < AM_ESYS && status > AM_ESYS - 100000 ? AM_ESYS - status : 0;
}
