/* Jobs over threads and MPI ranks, with a checkpoint of finished results so that a run can resume.
 *
 * Checkpoint file (little-endian): header "LIBAMCKP", u32 version, u32 0, u64 fingerprint of the command,
 * i64 start time, u64 job count, u64 result size, u32 CRC-32 of the preceding 48 bytes; then one record
 * per finished job: u64 job, u32 CRC-32 of (job, result), result bytes. Records are appended as jobs
 * finish; a record cut short by a kill fails its CRC and is dropped on resume. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "am/blas.h"
#include "am/error.h"
#include "internal.h"

#define CKPT_VERSION 1u
#define CKPT_HEADER 52

static void put64(unsigned char *b, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
}

static uint64_t get64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)b[k] << (8 * k);
    return v;
}

static uint32_t get32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t record_crc(uint64_t job, const void *res, size_t size)
{
    unsigned char j[8];
    put64(j, job);
    uLong c = crc32(crc32(0L, Z_NULL, 0), j, 8);
    const unsigned char *p = res;
    while (size) {
        uInt chunk = size > (1u << 30) ? (1u << 30) : (uInt)size;
        c = crc32(c, p, chunk);
        p += chunk;
        size -= chunk;
    }
    return (uint32_t)c;
}

/* Records are kept in memory and written at most once a second (AM_CHECKPOINT_SECONDS in the environment
 * changes it; 0 writes every record at once): a short run never touches the disk, a killed one loses at most
 * that much work. A new checkpoint file is created at the first write. */
static double flush_seconds(void)
{
    const char *e = getenv("AM_CHECKPOINT_SECONDS");
    char *end;
    double v = e && *e ? strtod(e, &end) : 1.0;
    return e && *e && !*end && v >= 0 && v <= 1e6 ? v : 1.0;
}

typedef struct ckpt {
    FILE *f;
    int failed;                 /* writing failed once: warned, no more records */
    int fresh;                  /* the file is yet to be created (with this header) */
    unsigned char head[CKPT_HEADER];
    unsigned char *buf;         /* records not yet written */
    size_t len, cap;
    double last;                /* when records were last written */
    double every;               /* seconds between writes */
} ckpt;

static void ckpt_header(unsigned char *h, const struct am__run_state *st, size_t count, size_t size)
{
    memset(h, 0, CKPT_HEADER);
    memcpy(h, "LIBAMCKP", 8);
    h[8] = CKPT_VERSION;
    put64(h + 16, st->fingerprint);
    put64(h + 24, (uint64_t)(int64_t)st->start);
    put64(h + 32, count);
    put64(h + 40, size);
    uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), h, 48);
    for (int k = 0; k < 4; k++)
        h[48 + k] = (unsigned char)(c >> (8 * k));
}

long am__ckpt_scan(FILE *f, size_t count, size_t size, unsigned char *results, unsigned char *done, size_t *ndone)
{
    unsigned char *rec = malloc(12 + size);
    long good = CKPT_HEADER;
    if (!rec)
        return -1;
    while (fread(rec, 1, 12 + size, f) == 12 + size) {
        uint64_t job = get64(rec);
        if (job >= count || get32(rec + 8) != record_crc(job, rec + 12, size))
            break;
        if (!done[job]) {
            done[job] = 1;
            (*ndone)++;
        }
        memcpy(results + job * size, rec + 12, size);
        good += (long)(12 + size);
    }
    free(rec);
    return good;
}

/* Rank 0: read the finished jobs of a resumed run into results/done and open the checkpoint for appending
 * (a new one when not resuming). Returns 0, or -1 after printing why. */
static int ckpt_open(am_run *run, ckpt *c, size_t count, size_t size, unsigned char *results, unsigned char *done,
                     size_t *ndone)
{
    struct am__run_state *st = run->st;
    unsigned char want[CKPT_HEADER];
    memset(c, 0, sizeof *c);
    *ndone = 0;
    if (!st->ckpt_path[0])
        return 0;
    am__resume_hint(run->program, st->ckpt_path);
    ckpt_header(want, st, count, size);
    if (st->resumed) {
        FILE *f = fopen(st->ckpt_path, "r+b");
        unsigned char h[CKPT_HEADER];
        if (!f || fread(h, 1, CKPT_HEADER, f) != CKPT_HEADER || memcmp(h, want, CKPT_HEADER)) {
            am_run_error(run, "checkpoint '%s' does not match this run's jobs%s%s", st->ckpt_path, f ? "" : ": ",
                         f ? "" : strerror(errno));
            if (f)
                fclose(f);
            return -1;
        }
        long good = am__ckpt_scan(f, count, size, results, done, ndone);
        if (good < 0) {
            fclose(f);
            am_run_error(run, "out of memory");
            return -1;
        }
        /* Drop a record cut short by the interruption, then append after the last good one. */
        if (fflush(f) || ftruncate(fileno(f), good) || fseek(f, good, SEEK_SET)) {
            am_run_error(run, "cannot update checkpoint '%s': %s", st->ckpt_path, strerror(errno));
            fclose(f);
            return -1;
        }
        c->f = f;
        c->every = flush_seconds();
        c->last = am_seconds();
        st->ckpt_ours = 1;
        return 0;
    }
    /* A new checkpoint: checked writable now (an explicit --checkpoint that cannot be written is an error
     * before any work), created at the first write. */
    if (access(st->ckpt_path, F_OK) == 0 ? access(st->ckpt_path, W_OK) != 0 : 0) {
        int e = errno;
        if (st->ckpt_explicit) {
            am_run_error(run, "cannot write checkpoint '%s': %s", st->ckpt_path, strerror(e));
            return -1;
        }
        if (!run->quiet)
            fprintf(stderr, "%s: cannot write checkpoint '%s' (%s): this run cannot be resumed\n", run->program,
                    st->ckpt_path, strerror(e));
        st->ckpt_path[0] = 0;
        return 0;
    }
    c->fresh = 1;
    memcpy(c->head, want, CKPT_HEADER);
    c->last = am_seconds();
    c->every = flush_seconds();
    return 0;
}

static void ckpt_warn(am_run *run, ckpt *c, int e)
{
    c->failed = 1;
    if (!run->quiet)
        fprintf(stderr, "%s: writing checkpoint '%s' failed (%s): the run goes on but cannot be resumed\n",
                run->program, run->st->ckpt_path, strerror(e));
}

/* Write the records kept in memory (creating the file first if needed). */
static void ckpt_flush(am_run *run, ckpt *c)
{
    if (c->failed || !run->st->ckpt_path[0])
        return;
    if (c->fresh) {
        /* Created whole (header and the first records in a temporary renamed over the name), so that the
         * name never holds a file without a header; later records are appended to it. */
        char *tmp = NULL, *final = NULL;
        int fd = -1, rc = am__tmp_reserve(run->st->ckpt_path, &tmp, &final, &fd), reserved = !rc;
        FILE *f = NULL;
        if (!rc && !(f = fdopen(fd, "wb"))) {
            rc = am__errno_status();
            close(fd);
        }
        if (!rc && (fwrite(c->head, 1, CKPT_HEADER, f) != CKPT_HEADER || fwrite(c->buf, 1, c->len, f) != c->len ||
                    fflush(f)))
            rc = am__errno_status();
        if (rc && reserved)
            am__tmp_discard(tmp, final);
        else if (!rc)
            rc = am__tmp_commit(tmp, final);
        if (rc) {
            if (f)
                fclose(f);
            ckpt_warn(run, c, am_status_errno(rc) ? am_status_errno(rc) : EIO);
            return;
        }
        c->f = f;
        c->fresh = 0;
        c->len = 0;
        run->st->ckpt_ours = 1;
    }
    if (c->f && (fwrite(c->buf, 1, c->len, c->f) != c->len || fflush(c->f)))
        ckpt_warn(run, c, errno);
    c->len = 0;
    c->last = am_seconds();
}

static void ckpt_add(am_run *run, ckpt *c, uint64_t job, const void *res, size_t size)
{
    if (c->failed || (!c->f && !c->fresh))
        return;
    if (c->len + 12 + size > c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 65536;
        while (cap < c->len + 12 + size)
            cap *= 2;
        unsigned char *nb = realloc(c->buf, cap);
        if (!nb) {
            ckpt_warn(run, c, ENOMEM);
            return;
        }
        c->buf = nb;
        c->cap = cap;
    }
    unsigned char *h = c->buf + c->len;
    put64(h, job);
    uint32_t crc = record_crc(job, res, size);
    for (int k = 0; k < 4; k++)
        h[8 + k] = (unsigned char)(crc >> (8 * k));
    memcpy(h + 12, res, size);
    c->len += 12 + size;
    if (am_seconds() - c->last >= c->every)
        ckpt_flush(run, c);
}

/* keep: 1 to write what is pending (the run failed or stopped early), 0 when the output is about to be
 * written and the checkpoint will be removed anyway. */
static void ckpt_close(am_run *run, ckpt *c, int keep)
{
    if (keep && c->len)
        ckpt_flush(run, c);
    if (c->f)
        fclose(c->f);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* ---- one process ---- */

/* Progress after job j finished (ndone jobs done in all): by work when the jobs have costs. */
static void job_done(am_progress *pg, const double *cost, size_t j, size_t ndone)
{
    if (cost)
        am_progress_work(pg, ndone, pg->work_done + cost[j], NULL);
    else
        am_progress_update(pg, ndone, NULL);
}

/* Job j on the calling thread (as thread 0), its result kept and counted. */
static int run_one(am_run *run, const am_jobs *jobs, unsigned char *results, size_t j, ckpt *c, am_progress *pg,
                   size_t *ndone, size_t *failed_job, const double *cost)
{
    size_t rs = jobs->result_size;
    memset(results + j * rs, 0, rs);
    int status = jobs->fn(j, 0, results + j * rs, jobs->ctx);
    if (status) {
        *failed_job = j;
        return status;
    }
    ckpt_add(run, c, j, results + j * rs, rs);
    job_done(pg, cost, j, ++*ndone);
    return 0;
}

/* Below this estimate of a run's remaining time (ms; AM_SERIAL_MS, default 40, 0: always start the team) its
 * jobs run on the calling thread: starting a team and waiting on it cost more than a second core gains on
 * sweeps of a few milliseconds. The results are the same either way (every job's numbers are its own). */
static double serial_ms(void)
{
    const char *e = getenv("AM_SERIAL_MS");
    char *end;
    double v = e && *e ? strtod(e, &end) : 40.0;
    return e && *e && (*end || !(v >= 0 && v <= 1e9)) ? 40.0 : v;
}

static int run_local(am_run *run, const am_jobs *jobs, unsigned char *results, const size_t *pending, size_t np,
                     ckpt *c, am_progress *pg, size_t *ndone, size_t *failed_job, const double *cost)
{
    int status = 0;
    size_t rs = jobs->result_size;
    if (jobs->serial) {
        for (size_t i = 0; i < np && !status; i++)
            status = run_one(run, jobs, results, pending[i], c, pg, ndone, failed_job, cost);
        return status;
    }
    /* The last job (sweeps grow along their job order: the longest) first, here; when the others would take
     * under serial_ms() (its time scaled by their costs when the jobs have them, else by their number), they
     * run here too. */
    double limit = serial_ms();
    if (run->threads > 1 && np > 1 && limit > 0) {
        double t0 = am_seconds(), rest = (double)(np - 1), c0 = cost ? cost[pending[np - 1]] : 1.0;
        if ((status = run_one(run, jobs, results, pending[--np], c, pg, ndone, failed_job, cost)))
            return status;
        if (cost && c0 > 0) {
            rest = 0;
            for (size_t i = 0; i < np; i++)
                rest += cost[pending[i]] / c0;
        }
        if ((am_seconds() - t0) * 1e3 * rest < limit) {
            for (size_t i = 0; i < np && !status; i++)
                status = run_one(run, jobs, results, pending[i], c, pg, ndone, failed_job, cost);
            return status;
        }
    }
    /* No more threads than jobs: with fewer jobs than threads, each job may use the spare threads itself
     * (an inactive team of one leaves the library's own parallel loops free to run). */
    int team = np < (size_t)run->threads ? (int)np : run->threads;
#pragma omp parallel num_threads(team > 0 ? team : 1)
    {
        int tid = omp_get_thread_num();
        /* Sweeps grow along their job order (larger loads, more patterns): taking the jobs from the end
         * starts the longest first and leaves short ones to fill the gaps. Results do not depend on it. */
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < np; i++) {
            int skip, rc;
            size_t j = pending[np - 1 - i];
#pragma omp atomic read
            skip = status;
            if (skip)
                continue;
            memset(results + j * rs, 0, rs);
            rc = jobs->fn(j, tid, results + j * rs, jobs->ctx);
#pragma omp critical(am_jobs)
            {
                if (rc) {
                    if (!status) {
                        status = rc;
                        *failed_job = j;
                    }
                } else {
                    ckpt_add(run, c, j, results + j * rs, rs);
                    ++*ndone;
                    if (cost)
                        pg->work_done += cost[j]; /* under the lock; drawn by thread 0 below */
                    if (tid == 0 || omp_get_num_threads() == 1)
                        am_progress_work(pg, *ndone, cost ? pg->work_done : (double)*ndone, NULL);
                }
            }
        }
    }
    return status;
}

/* ---- MPI: rounds of jobs dealt round-robin over the ranks, gathered on rank 0 after each round ---- */

typedef struct slot_head {
    uint64_t job; /* UINT64_MAX: an empty slot */
    int32_t status;
    int32_t pad;
} slot_head;

static int run_mpi(am_run *run, const am_jobs *jobs, unsigned char *results, const size_t *pending, size_t np,
                   ckpt *c, am_progress *pg, size_t *ndone, size_t *failed_job, const double *cost)
{
    const am__mpi *mpi = run->st->mpi;
    int K = run->ranks, me = run->rank;
    size_t rs = jobs->result_size, slot = sizeof(slot_head) + rs;
    /* Round size from rank 0, so every rank agrees on it. */
    uint64_t per = jobs->serial ? 1 : (uint64_t)(4 * run->threads);
    if (mpi->bcast(&per, sizeof per, 0))
        return AM_EIO;
    size_t round = (size_t)per * (size_t)K, mine_max = (size_t)per;
    if ((double)mine_max * (double)slot * K > (double)INT_MAX) {
        am_run_error(run, "a round of results is too large for one MPI message (%zu bytes per job)", rs);
        return AM_EOVERFLOW;
    }
    unsigned char *local = malloc(mine_max * slot), *all = am_run_is_root(run) ? malloc(mine_max * slot * K) : NULL;
    if (!local || (am_run_is_root(run) && !all)) {
        free(local);
        free(all);
        return AM_ENOMEM;
    }
    int status = 0;
    for (size_t r0 = 0; r0 < np && !status; r0 += round) {
        size_t n = np - r0 < round ? np - r0 : round, mine = 0;
        /* My jobs of this round: positions me, me + K, ... */
        for (size_t p = (size_t)me; p < n; p += (size_t)K)
            mine++;
        for (size_t k = 0; k < mine_max; k++) {
            slot_head *h = (slot_head *)(local + k * slot);
            memset(local + k * slot, 0, slot);
            h->job = k < mine ? pending[r0 + (size_t)me + k * (size_t)K] : UINT64_MAX;
        }
        int lstatus = 0;
        if (jobs->serial) {
            for (size_t k = 0; k < mine && !lstatus; k++) {
                slot_head *h = (slot_head *)(local + k * slot);
                h->status = jobs->fn(h->job, 0, local + k * slot + sizeof *h, jobs->ctx);
                lstatus = h->status;
            }
        } else {
            int team = mine < (size_t)run->threads ? (int)mine : run->threads;
#pragma omp parallel for num_threads(team > 0 ? team : 1) schedule(dynamic, 1)
            for (size_t k = 0; k < mine; k++) {
                slot_head *h = (slot_head *)(local + k * slot);
                h->status = jobs->fn(h->job, omp_get_thread_num(), local + k * slot + sizeof *h, jobs->ctx);
            }
        }
        if (mpi->gather(local, all, mine_max * slot, 0)) {
            status = AM_EIO;
            break;
        }
        int64_t verdict[2] = {0, 0};
        if (am_run_is_root(run)) {
            for (size_t k = 0; k < mine_max * (size_t)K; k++) {
                slot_head *h = (slot_head *)(all + k * slot);
                if (h->job == UINT64_MAX)
                    continue;
                if (h->status) {
                    if (!verdict[0]) {
                        verdict[0] = h->status;
                        verdict[1] = (int64_t)h->job;
                    }
                    continue;
                }
                memcpy(results + h->job * rs, all + k * slot + sizeof *h, rs);
                ckpt_add(run, c, h->job, results + h->job * rs, rs);
                job_done(pg, cost, h->job, ++*ndone);
            }
        }
        if (mpi->bcast(verdict, sizeof verdict, 0)) {
            status = AM_EIO;
            break;
        }
        status = (int)verdict[0];
        if (status)
            *failed_job = (size_t)verdict[1];
    }
    free(local);
    free(all);
    return status;
}

int am_run_jobs(am_run *run, const am_jobs *jobs, void *results_, size_t *failed_job)
{
    struct am__run_state *st = run->st;
    unsigned char *results = results_, *done = NULL;
    size_t *pending = NULL, np = 0, ndone = 0, fj = 0;
    int status = 0, blas = am_blas_get_threads();
    ckpt c = {0};
    am_progress pg;
    if (!jobs || !jobs->fn || !jobs->result_size || (jobs->count && !results))
        return AM_EINVAL;
    if (jobs->count > SIZE_MAX / jobs->result_size)
        return AM_EOVERFLOW;
    done = calloc(jobs->count ? jobs->count : 1, 1);
    pending = malloc((jobs->count ? jobs->count : 1) * sizeof *pending);
    if (!done || !pending) {
        free(done);
        free(pending);
        return AM_ENOMEM;
    }
    if (am_run_is_root(run) && ckpt_open(run, &c, jobs->count, jobs->result_size, results, done, &ndone))
        status = AM_EFORMAT;
    if (st->mpi) {
        /* Everyone learns whether to go on and which jobs are already done. */
        int64_t s = status;
        if (st->mpi->bcast(&s, sizeof s, 0) || (!s && jobs->count && st->mpi->bcast(done, jobs->count, 0)))
            s = AM_EIO;
        status = (int)s;
    }
    if (!status) {
        for (size_t j = 0; j < jobs->count; j++)
            if (!done[j])
                pending[np++] = j;
        if (blas != 1)
            am_blas_set_threads(1);
        am_progress_start(&pg, run, jobs->count);
        /* every job's cost (jobs->cost), or one each: the ETA counts work done in this run only */
        double *cost = jobs->count ? malloc(jobs->count * sizeof *cost) : NULL, total = 0, before = 0;
        for (size_t j = 0; cost && j < jobs->count; j++) {
            double w = jobs->cost ? jobs->cost(j, jobs->ctx) : 1.0;
            cost[j] = w > 0 && w < 1e300 ? w : 1.0;
            total += cost[j];
            before += done[j] ? cost[j] : 0.0;
        }
        if (cost)
            am_progress_set_work(&pg, total, before);
        am_progress_work(&pg, ndone, before, NULL);
        st->working = 1;
        status = st->mpi ? run_mpi(run, jobs, results, pending, np, &c, &pg, &ndone, &fj, cost)
                         : run_local(run, jobs, results, pending, np, &c, &pg, &ndone, &fj, cost);
        free(cost);
        st->working = 0;
        am_progress_end(&pg, NULL);
        if (blas != 1)
            am_blas_set_threads(blas);
    }
    ckpt_close(run, &c, status != 0);
    if (failed_job)
        *failed_job = fj;
    free(done);
    free(pending);
    return status;
}

/* ---- joining an MPI job ---- */

static void mpi_finalize_at_exit(void);
static const am__mpi *joined;

static void mpi_finalize_at_exit(void)
{
    if (joined)
        joined->finalize();
}

/* The directory of the running program, into buf (with the trailing '/'), or "" when unknown. */
static void exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0 || (size_t)n >= size - 1) {
        buf[0] = 0;
        return;
    }
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash)
        slash[1] = 0;
    else
        buf[0] = 0;
}

int am__mpi_join(am_run *run, int *argc, char ***argv)
{
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK"))
        return 0; /* not started by mpirun: one process, no MPI runtime */
    if (joined) {
        run->st->mpi = joined;
        return 0;
    }
    char dir[4096], path[4200];
    const char *env = getenv("AM_MPI_PLUGIN");
    void *h = NULL;
    if (env && *env) {
        h = dlopen(env, RTLD_NOW | RTLD_GLOBAL);
    } else {
        /* Installed (bin/../lib), in the build tree (bin/../build, build/san-*\/bin/..), installed behind `am`
         * (PREFIX/libexec/am/../../lib). */
        static const char *const rel[] = {"../lib/libam-mpi.so", "../build/libam-mpi.so", "../libam-mpi.so",
                                          "../../lib/libam-mpi.so", NULL};
        exe_dir(dir, sizeof dir);
        for (int k = 0; rel[k] && !h; k++) {
            snprintf(path, sizeof path, "%s%s", dir, rel[k]);
            if (access(path, R_OK) == 0)
                h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
        }
    }
    if (!h) {
        const char *why = dlerror();
        fprintf(stderr, "%s: started by mpirun, but the MPI plugin libam-mpi.so cannot be loaded (%s); build libam "
                        "with libopenmpi-dev installed, or set AM_MPI_PLUGIN\n",
                run->program, why ? why : "not found beside the program");
        return -1;
    }
    const am__mpi *(*get)(void) = (const am__mpi *(*)(void))dlsym(h, "am__mpi_plugin");
    const am__mpi *m = get ? get() : NULL;
    if (!m || m->abi != AM__MPI_ABI) {
        fprintf(stderr, "%s: the MPI plugin does not match this libam\n", run->program);
        return -1;
    }
    int rank = 0, size = 1;
    if (m->init(argc, argv, &rank, &size)) {
        fprintf(stderr, "%s: MPI_Init failed\n", run->program);
        return -1;
    }
    joined = m;
    atexit(mpi_finalize_at_exit);
    run->st->mpi = m;
    run->rank = rank;
    run->ranks = size;
    return 0;
}
