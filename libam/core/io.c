#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "am/error.h"
#include "am/io.h"

#define ENDIAN_TAG 0x01020304u

int am__errno_status(void)
{
    return errno > 0 ? AM_ERRNO(errno) : AM_EIO;
}

/* ---- the registry of temporary files, for signal handlers ----
 * Each temporary also holds an exclusive flock (on a descriptor of its own, kept until the temporary is renamed
 * or removed), so that another process can tell a temporary being written from one a killed run left behind. */

#define MAX_TEMPS 256
static char *volatile temps[MAX_TEMPS];
static int temps_fd[MAX_TEMPS];
static pthread_mutex_t temps_lock = PTHREAD_MUTEX_INITIALIZER;

static void temps_add(char *path, int lockfd)
{
    int k;
    pthread_mutex_lock(&temps_lock);
    for (k = 0; k < MAX_TEMPS; k++)
        if (!temps[k]) {
            temps[k] = path;
            temps_fd[k] = lockfd;
            break;
        }
    pthread_mutex_unlock(&temps_lock);
    if (k == MAX_TEMPS && lockfd >= 0)
        close(lockfd); /* registry full: unlocked, so it may be swept once it is old */
}

static void temps_forget(const char *path)
{
    pthread_mutex_lock(&temps_lock);
    for (int k = 0; k < MAX_TEMPS; k++)
        if (temps[k] == path) {
            temps[k] = NULL;
            if (temps_fd[k] >= 0)
                close(temps_fd[k]);
        }
    pthread_mutex_unlock(&temps_lock);
}

/* Remove the temporaries "<target>.tmp-XXXXXX" that a killed run left beside target: those no live writer
 * holds locked (and older than a few seconds, which covers the moment between a temporary's creation and
 * its lock). Anything else in the directory is left alone. */
static void sweep_stale_temps(const char *target)
{
    const char *slash = strrchr(target, '/'), *base = slash ? slash + 1 : target;
    size_t blen = strlen(base), dlen = slash ? (size_t)(slash - target) + 1 : 0;
    char *dirname = slash ? strndup(target, dlen) : strdup(".");
    DIR *d = dirname ? opendir(dirname) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *n = e->d_name;
        if (strlen(n) != blen + 11 || memcmp(n, base, blen) || memcmp(n + blen, ".tmp-", 5))
            continue;
        int tail_ok = 1;
        for (size_t k = blen + 5; k < blen + 11; k++)
            tail_ok &= (n[k] >= '0' && n[k] <= '9') || (n[k] >= 'a' && n[k] <= 'z') || (n[k] >= 'A' && n[k] <= 'Z');
        char *path = tail_ok ? malloc(dlen + blen + 12) : NULL;
        if (!path)
            continue;
        memcpy(path, target, dlen);
        memcpy(path + dlen, n, blen + 12);
        struct stat st;
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && time(NULL) - st.st_mtime >= 3 &&
            flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlink(path);
        if (fd >= 0)
            close(fd);
        free(path);
    }
    if (d)
        closedir(d);
    free(dirname);
}

/* Temporary directories (a program's staging area): emptied and removed by am_io_remove_temporaries too. */
#define MAX_TEMP_DIRS 8
static char *volatile temp_dirs[MAX_TEMP_DIRS];

int am__tmpdir_add(const char *path)
{
    char *p = strdup(path);
    int k;
    if (!p)
        return AM_ENOMEM;
    pthread_mutex_lock(&temps_lock);
    for (k = 0; k < MAX_TEMP_DIRS && temp_dirs[k]; k++)
        ;
    if (k < MAX_TEMP_DIRS)
        temp_dirs[k] = p;
    pthread_mutex_unlock(&temps_lock);
    if (k == MAX_TEMP_DIRS)
        free(p);
    return k < MAX_TEMP_DIRS ? AM_OK : AM_ENOMEM;
}

void am__tmpdir_forget(const char *path)
{
    char *gone = NULL;
    pthread_mutex_lock(&temps_lock);
    for (int k = 0; k < MAX_TEMP_DIRS; k++)
        if (temp_dirs[k] && !strcmp(temp_dirs[k], path)) {
            gone = temp_dirs[k];
            temp_dirs[k] = NULL;
            break;
        }
    pthread_mutex_unlock(&temps_lock);
    free(gone);
}

/* Empty the directory open as dfd, `depth` levels of subdirectories deep, with system calls only (getdents64,
 * unlinkat, openat): async-signal-safe. A few passes, since unlinking while reading may skip entries. */
static void empty_dir(int dfd, int depth)
{
    struct d64 {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[];
    };
    char buf[4096];
    for (int pass = 0, removed = 1; pass < 4 && removed; pass++) {
        removed = 0;
        lseek(dfd, 0, SEEK_SET);
        long n;
        while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct d64 *e = (struct d64 *)(buf + off);
                off += e->reclen;
                if (e->name[0] == '.' && (!e->name[1] || (e->name[1] == '.' && !e->name[2])))
                    continue;
                if (unlinkat(dfd, e->name, 0) == 0) {
                    removed = 1;
                    continue;
                }
                int sub = depth > 0 ? openat(dfd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
                if (sub >= 0) {
                    empty_dir(sub, depth - 1);
                    close(sub);
                    removed |= unlinkat(dfd, e->name, AT_REMOVEDIR) == 0;
                }
            }
    }
}

void am_io_remove_temporaries(void)
{
    /* No lock: a handler must not block. A path is forgotten before its memory is freed, so every
     * pointer seen here is still valid. errno is the interrupted code's. */
    int saved = errno;
    for (int k = 0; k < MAX_TEMPS; k++) {
        char *p = temps[k];
        if (p)
            unlink(p);
    }
    for (int k = 0; k < MAX_TEMP_DIRS; k++) {
        char *d = temp_dirs[k];
        int dfd = d ? open(d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (dfd >= 0) {
            empty_dir(dfd, 2);
            close(dfd);
            rmdir(d);
        }
    }
    errno = saved;
}

/* The process's umask, read without changing it (Linux), else by the classic set-and-restore. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned mask = 0;
    int found = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &mask) == 1) {
            found = 1;
            break;
        }
    if (f)
        fclose(f);
    if (!found) {
        mode_t m = umask(022);
        umask(m);
        return m;
    }
    return (mode_t)mask;
}

int am__tmp_reserve(const char *path, char **tmp, char **final, int *fdp)
{
    struct stat st;
    char *target = NULL, *t = NULL;
    mode_t mode;
    int fd;
    *tmp = *final = NULL;
    if (fdp)
        *fdp = -1;
    if (!path || !*path)
        return AM_EINVAL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        target = realpath(path, NULL); /* write beside the file the link points to */
        if (!target && errno != ENOENT)
            return am__errno_status();
    }
    if (!target && !(target = strdup(path)))
        return AM_ENOMEM;
    if (stat(target, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            free(target);
            return AM_ERRNO(EISDIR);
        }
        if (!S_ISREG(st.st_mode)) {
            /* A device, pipe or terminal: written in place. */
            *final = target;
            if (fdp && (*fdp = open(target, O_WRONLY | O_CLOEXEC)) < 0) {
                int rc = am__errno_status();
                free(target);
                *final = NULL;
                return rc;
            }
            return AM_OK;
        }
        mode = st.st_mode & 07777;
    } else {
        mode = 0666 & ~current_umask();
    }
    sweep_stale_temps(target);
    size_t len = strlen(target);
    if (!(t = malloc(len + 12))) {
        free(target);
        return AM_ENOMEM;
    }
    memcpy(t, target, len);
    memcpy(t + len, ".tmp-XXXXXX", 12);
    if ((fd = mkstemp(t)) < 0) {
        int rc = am__errno_status();
        free(t);
        free(target);
        return rc;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC); /* not inherited by gnuplot or any other child */
    int lockfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (lockfd >= 0)
        flock(lockfd, LOCK_EX | LOCK_NB);
    temps_add(t, lockfd);
    if (fchmod(fd, mode) != 0) {
        int rc = am__errno_status();
        close(fd);
        am__tmp_discard(t, target);
        return rc;
    }
    if (fdp)
        *fdp = fd;
    else
        close(fd);
    *tmp = t;
    *final = target;
    return AM_OK;
}

int am__tmp_commit(char *tmp, char *final)
{
    int rc = AM_OK;
    if (tmp) {
        int fd = open(tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            rc = am__errno_status();
        if (fd >= 0)
            close(fd);
        if (!rc && rename(tmp, final) != 0)
            rc = am__errno_status();
        if (rc)
            unlink(tmp);
        temps_forget(tmp);
        free(tmp);
    }
    free(final);
    return rc;
}

void am__tmp_discard(char *tmp, char *final)
{
    if (tmp) {
        unlink(tmp);
        temps_forget(tmp);
        free(tmp);
    }
    free(final);
}

int am__out_open(am__out *o, const char *path)
{
    int fd, rc;
    memset(o, 0, sizeof *o);
    if ((rc = am__tmp_reserve(path, &o->tmp, &o->final, &fd)))
        return rc;
    if (!(o->f = fdopen(fd, "wb"))) {
        rc = am__errno_status();
        close(fd);
        am__tmp_discard(o->tmp, o->final);
        memset(o, 0, sizeof *o);
        return rc;
    }
    return AM_OK;
}

int am__out_commit(am__out *o)
{
    int rc = AM_OK;
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        rc = am__errno_status();
    if (!rc && o->tmp && fsync(fileno(o->f)) != 0)
        rc = am__errno_status();
    if (fclose(o->f) != 0 && !rc)
        rc = am__errno_status();
    o->f = NULL;
    if (rc)
        am__tmp_discard(o->tmp, o->final);
    else if (o->tmp) {
        if (rename(o->tmp, o->final) != 0) {
            rc = am__errno_status();
            unlink(o->tmp);
        }
        temps_forget(o->tmp);
        free(o->tmp);
        free(o->final);
    } else {
        free(o->final);
    }
    o->tmp = o->final = NULL;
    return rc;
}

void am__out_abort(am__out *o)
{
    if (o->f)
        fclose(o->f);
    am__tmp_discard(o->tmp, o->final);
    memset(o, 0, sizeof *o);
}

/* ---- binary files ---- */

static void crc_add(am__file *f, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        f->crc = (uint32_t)crc32(f->crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
}

int am__wopen(am__file *w, const char *path)
{
    int rc;
    memset(w, 0, sizeof *w);
    if (!path)
        return AM_EINVAL;
    if ((rc = am__out_open(&w->out, path)))
        return rc;
    w->f = w->out.f;
    w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    return AM_OK;
}

void am__put(am__file *w, const void *buf, size_t len)
{
    if (w->err || !len)
        return;
    crc_add(w, buf, len);
    errno = 0;
    if (fwrite(buf, 1, len, w->f) != len)
        w->err = am__errno_status();
}

void am__put_u32(am__file *w, uint32_t v)
{
    unsigned char b[4];
    for (int k = 0; k < 4; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    am__put(w, b, 4);
}

void am__put_u64(am__file *w, uint64_t v)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    am__put(w, b, 8);
}

void am__put_f64(am__file *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    am__put_u64(w, bits);
}

void am__put_f32s(am__file *w, const float *v, size_t n)
{
    unsigned char buf[4096];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int b = 0; b < 4; b++)
            buf[k++] = (unsigned char)(u >> (8 * b));
        if (k == sizeof buf) {
            am__put(w, buf, k);
            k = 0;
        }
    }
    am__put(w, buf, k);
}

void am__put_u64s(am__file *w, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        am__put_u64(w, v[i]);
}

int am__wclose(am__file *w)
{
    uint32_t crc = w->crc;
    unsigned char b[4];
    int rc;
    for (int k = 0; k < 4; k++)
        b[k] = (unsigned char)(crc >> (8 * k));
    errno = 0;
    if (!w->err && fwrite(b, 1, 4, w->f) != 4)
        w->err = am__errno_status();
    if (w->err) {
        rc = w->err;
        am__out_abort(&w->out);
    } else {
        rc = am__out_commit(&w->out);
    }
    w->f = NULL;
    return rc;
}

/* Open a file for reading that must be a regular file; its size in *size. */
static FILE *open_regular(const char *path, long *size, int *rc)
{
    struct stat st;
    FILE *f;
    *rc = AM_OK;
    if (!path) {
        *rc = AM_EINVAL;
        return NULL;
    }
    if (!(f = fopen(path, "rb"))) {
        *rc = am__errno_status();
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0) {
        *rc = am__errno_status();
        fclose(f);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        *rc = AM_ERRNO(EISDIR);
        fclose(f);
        return NULL;
    }
    *size = S_ISREG(st.st_mode) ? (long)st.st_size : 0; /* devices and pipes hold no libam file */
    return f;
}

int am__read_magic(const char *path, char magic[8])
{
    long size;
    int rc;
    FILE *f = open_regular(path, &size, &rc);
    if (!f)
        return rc;
    size_t got = size > 0 ? fread(magic, 1, 8, f) : 0;
    fclose(f);
    if (got < 8)
        return got && !memcmp(magic, "LIBAM", got < 5 ? got : 5) ? AM_ETRUNC : AM_EFORMAT;
    return AM_OK;
}

int am__ropen(am__file *r, const char *path, const char magic[8], uint32_t max_version, uint32_t *version)
{
    char got[8];
    long size;
    uint32_t tag;
    int rc;
    memset(r, 0, sizeof *r);
    if (!(r->f = open_regular(path, &size, &rc)))
        return rc;
    r->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    if (size < 20) { /* magic + version + endian tag + CRC */
        rc = (size >= 8 && fread(got, 1, 8, r->f) == 8 && !memcmp(got, magic, 8)) ? AM_ETRUNC : AM_EFORMAT;
        fclose(r->f);
        return rc;
    }
    r->left = (uint64_t)size - 4;
    am__get(r, got, 8);
    if (r->err || memcmp(got, magic, 8)) {
        rc = r->err ? r->err : AM_EFORMAT;
        fclose(r->f);
        return rc;
    }
    *version = am__get_u32(r);
    tag = am__get_u32(r);
    if (r->err || tag != ENDIAN_TAG) {
        rc = r->err ? r->err : AM_EFORMAT;
        fclose(r->f);
        return rc;
    }
    if (*version == 0 || *version > max_version) {
        fclose(r->f);
        return AM_EVERSION;
    }
    return AM_OK;
}

void am__get(am__file *r, void *buf, size_t len)
{
    if (r->err)
        return;
    if (len > r->left) {
        r->err = AM_ETRUNC;
        return;
    }
    errno = 0;
    if (fread(buf, 1, len, r->f) != len) {
        r->err = ferror(r->f) ? am__errno_status() : AM_ETRUNC;
        return;
    }
    r->left -= len;
    crc_add(r, buf, len);
}

uint32_t am__get_u32(am__file *r)
{
    unsigned char b[4] = {0};
    uint32_t v = 0;
    am__get(r, b, 4);
    for (int k = 0; k < 4; k++)
        v |= (uint32_t)b[k] << (8 * k);
    return v;
}

uint64_t am__get_u64(am__file *r)
{
    unsigned char b[8] = {0};
    uint64_t v = 0;
    am__get(r, b, 8);
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)b[k] << (8 * k);
    return v;
}

double am__get_f64(am__file *r)
{
    uint64_t bits = am__get_u64(r);
    double v;
    memcpy(&v, &bits, 8);
    if (!r->err && !isfinite(v))
        r->nonfinite = 1;
    return r->err ? 0.0 : v;
}

static void get_f32s(am__file *r, float *v, size_t n, int finite)
{
    unsigned char buf[4096];
    size_t i = 0;
    while (i < n && !r->err) {
        size_t m = n - i < sizeof buf / 4 ? n - i : sizeof buf / 4;
        am__get(r, buf, 4 * m);
        for (size_t k = 0; k < m && !r->err; k++) {
            uint32_t u = 0;
            for (int b = 0; b < 4; b++)
                u |= (uint32_t)buf[4 * k + b] << (8 * b);
            memcpy(&v[i + k], &u, 4);
            /* Exponent bits all set: NaN or infinity. */
            if (finite && (u & 0x7f800000u) == 0x7f800000u)
                r->nonfinite = 1;
        }
        i += m;
    }
}

void am__get_f32s(am__file *r, float *v, size_t n)
{
    get_f32s(r, v, n, 0);
}

void am__get_f32s_finite(am__file *r, float *v, size_t n)
{
    get_f32s(r, v, n, 1);
}

void am__get_u64s(am__file *r, uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n && !r->err; i++)
        v[i] = am__get_u64(r);
}

int am__need(am__file *r, uint64_t bytes)
{
    if (r->err)
        return r->err;
    return bytes > r->left ? AM_ETRUNC : AM_OK;
}

int am__need_items(am__file *r, uint64_t count, uint64_t size)
{
    uint64_t bytes;
    if (r->err)
        return r->err;
    if (__builtin_mul_overflow(count, size, &bytes))
        return AM_ETRUNC; /* more than any file holds */
    return am__need(r, bytes);
}

int am__rclose(am__file *r)
{
    unsigned char b[4];
    uint32_t want = 0;
    int rc = r->err, extra = r->left != 0;
    /* Bytes between the payload and the trailer mean a damaged header or an appended file: read them
     * into the CRC so that damage is reported as a checksum mismatch. */
    while (!rc && r->left) {
        unsigned char skip[4096];
        am__get(r, skip, r->left < sizeof skip ? (size_t)r->left : sizeof skip);
        rc = r->err;
    }
    if (!rc) {
        if (fread(b, 1, 4, r->f) != 4)
            rc = AM_ETRUNC;
        else {
            for (int k = 0; k < 4; k++)
                want |= (uint32_t)b[k] << (8 * k);
            rc = want != r->crc ? AM_ECHECKSUM : extra ? AM_EFORMAT : r->nonfinite ? AM_ENOTFINITE : AM_OK;
        }
    }
    fclose(r->f);
    return rc;
}

void am__rabort(am__file *r)
{
    fclose(r->f);
}

void am__say(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    if (!err || !size)
        return;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

int am__invalid(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    if (err && size) {
        va_start(ap, fmt);
        vsnprintf(err, size, fmt, ap);
        va_end(ap);
    }
    return AM_EINVAL;
}

int am__read_line(FILE *f, char *buf, size_t size, size_t *len)
{
    int ch = getc(f), longer = 0;
    size_t n = 0;
    if (ch == EOF)
        return -1;
    for (; ch != EOF && ch != '\n'; ch = getc(f)) {
        if (n < size - 1)
            buf[n++] = (char)ch;
        else
            longer = 1;
    }
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = 0;
    *len = n;
    return longer;
}
