/* Files: every save replaces its target only when complete, keeps the target's permissions and symlinks,
 * reports the operating system's reason, and leaves no temporary file behind, even when the disk fills. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../libam/core/io.h"
#include "am/am.h"
#include "tap.h"

static char dir[] = "/tmp/t-io-XXXXXX";

static const char *path(const char *name)
{
    static char b[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(b[k], sizeof b[k], "%s/%s", dir, name);
    return b[k];
}

/* Files in the test folder whose name contains ".tmp-" (temporaries left behind). */
static int temporaries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp-") != NULL;
    if (d)
        closedir(d);
    return n;
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

static am_hopfield *store_of(size_t n, size_t p, am_rule rule)
{
    am_rng rng;
    am_patterns *x;
    am_hopfield *h;
    am_rng_init(&rng, 3, 0);
    am_patterns_create(&x, n, p);
    am_patterns_random(x, &rng);
    am_hopfield_create(&h, n, rule);
    am_hopfield_store(h, x);
    am_patterns_free(x);
    return h;
}

/* An empty file at p whose modification time is `age` seconds ago. */
static void make_aged(const char *p, int age)
{
    FILE *f = fopen(p, "w");
    if (f)
        fclose(f);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age;
    tv[1] = tv[0];
    utimes(p, tv);
}

/* Temporaries a killed run left beside a target are removed by the next write of that target; those a live
 * writer holds, young ones and other files are not. */
static void stale_temporaries(const char *target, am_hopfield *h)
{
    char stale[600], held[600], young[600], other[600], odd[600];
    snprintf(stale, sizeof stale, "%s.tmp-Ab3dE9", target);
    snprintf(held, sizeof held, "%s.tmp-HeLd00", target);
    snprintf(young, sizeof young, "%s.tmp-yOung1", target);
    snprintf(other, sizeof other, "%s.tmp-1234567", target);
    snprintf(odd, sizeof odd, "%s.tmp-ab_d.f", target);
    make_aged(stale, 3600), make_aged(held, 3600), make_aged(young, 0), make_aged(other, 3600), make_aged(odd, 3600);
    int hfd = open(held, O_RDONLY);
    ok(hfd >= 0 && flock(hfd, LOCK_EX | LOCK_NB) == 0, "a live writer's temporary holds its lock");
    is_int(am_hopfield_save(h, target), AM_OK, "save beside five .tmp- files");
    ok(access(stale, F_OK) != 0, "a killed run's temporary (old, unlocked) is removed");
    ok(access(held, F_OK) == 0, "a temporary a live writer holds is kept");
    ok(access(young, F_OK) == 0, "a temporary made a moment ago is kept (it may not be locked yet)");
    ok(access(other, F_OK) == 0 && access(odd, F_OK) == 0, "files that only look alike are kept");
    /* What the writers themselves make holds the lock while it exists. */
    char *tmp = NULL, *final = NULL;
    int fd = -1;
    am__tmp_reserve(target, &tmp, &final, &fd);
    int probe = tmp ? open(tmp, O_RDONLY) : -1;
    ok(probe >= 0 && flock(probe, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK, "a temporary being written is locked");
    if (probe >= 0)
        close(probe);
    close(fd);
    am__tmp_discard(tmp, final);
    if (hfd >= 0)
        close(hfd);
    unlink(held), unlink(young), unlink(other), unlink(odd);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    am_hopfield *small = store_of(50, 5, AM_RULE_HEBB), *big = store_of(400, 10, AM_RULE_STORKEY), *g = NULL;
    const char *target = path("store.am");

    is_int(am_hopfield_save(small, target), AM_OK, "save");
    long good = file_size(target);
    ok(temporaries() == 0, "no temporary file after a save");

    /* A save that fails part-way (a file size limit: the write fails with EFBIG, as on a full disk). */
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {4096, 4096};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        int rc = am_hopfield_save(big, target);
        _exit(rc == AM_ERRNO(EFBIG) ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a save that cannot be written reports the reason (File too large)");
    is_int(file_size(target), good, "the previous file is intact after the failed save");
    ok(temporaries() == 0, "and no partial or temporary file is left");
    ok(am_hopfield_load(&g, target) == AM_OK && am_hopfield_n(g) == 50, "the previous store still loads");
    am_hopfield_free(g);

    /* Killed while writing: the temporary is removed by am_io_remove_temporaries from a signal handler. */
    char *tmp = NULL, *final = NULL;
    int fd;
    is_int(am__tmp_reserve(target, &tmp, &final, &fd), AM_OK, "reserve a temporary beside the target");
    ok(tmp && strstr(tmp, "store.am.tmp-") && temporaries() == 1, "it lives beside the target (%s)", tmp ? tmp : "-");
    am_io_remove_temporaries();
    ok(temporaries() == 0, "am_io_remove_temporaries deletes it (what the programs' signal handlers call)");
    close(fd);
    am__tmp_discard(tmp, final);

    stale_temporaries(target, big);

    /* A registered staging directory is emptied (two levels deep) and removed with the temporaries. */
    char stage[600], sub[700], deep[800], f1[800], f2[900];
    snprintf(stage, sizeof stage, "%s/stage", dir);
    snprintf(sub, sizeof sub, "%s/wav", stage);
    snprintf(deep, sizeof deep, "%s/more", sub);
    snprintf(f1, sizeof f1, "%s/a.wav", sub);
    snprintf(f2, sizeof f2, "%s/b.txt", deep);
    mkdir(stage, 0700), mkdir(sub, 0700), mkdir(deep, 0700);
    for (int k = 0; k < 300; k++) { /* more entries than one getdents buffer holds */
        char p[700];
        snprintf(p, sizeof p, "%s/u%03d.wav", stage, k);
        fclose(fopen(p, "w"));
    }
    fclose(fopen(f1, "w")), fclose(fopen(f2, "w"));
    is_int(am__tmpdir_add(stage), AM_OK, "register a staging directory");
    am_io_remove_temporaries();
    ok(access(stage, F_OK) != 0, "am_io_remove_temporaries removes it with its 302 files and 2 subdirectories");
    am__tmpdir_forget(stage);
    mkdir(stage, 0700);
    am__tmpdir_add(stage);
    am__tmpdir_forget(stage);
    am_io_remove_temporaries();
    ok(access(stage, F_OK) == 0, "a forgotten one is left alone");
    rmdir(stage);

    /* Permissions and symlinks survive a replacement. */
    chmod(target, 0640);
    is_int(am_hopfield_save(small, target), AM_OK, "save over a file with mode 0640");
    struct stat sb;
    int srt = stat(target, &sb);
    ok(srt == 0 && (sb.st_mode & 0777) == 0640, "its mode is kept (%o)", (unsigned)(sb.st_mode & 0777));
    ok(symlink("store.am", path("link.am")) == 0, "a symlink to the store");
    is_int(am_hopfield_save(big, path("link.am")), AM_OK, "save through the symlink");
    ok(lstat(path("link.am"), &sb) == 0 && S_ISLNK(sb.st_mode), "the link is still a link");
    ok(am_hopfield_load(&g, target) == AM_OK && am_hopfield_n(g) == 400, "and its target holds the new store");
    am_hopfield_free(g);

    /* The operating system's reasons. */
    is_int(am_hopfield_save(small, path("no/such/dir/x.am")), AM_ERRNO(ENOENT), "save into a missing folder: %s",
           am_strerror(AM_ERRNO(ENOENT)));
    is_int(am_hopfield_save(small, dir), AM_ERRNO(EISDIR), "save over a folder: %s", am_strerror(AM_ERRNO(EISDIR)));
    is_int(am_hopfield_load(&g, dir), AM_ERRNO(EISDIR), "load a folder: Is a directory");
    is_int(am_hopfield_load(&g, path("missing.am")), AM_ERRNO(ENOENT), "load a missing file: ENOENT");
    if (geteuid() != 0) {
        chmod(target, 0);
        is_int(am_hopfield_load(&g, target), AM_ERRNO(EACCES), "load an unreadable file: EACCES");
        chmod(target, 0640);
    } else {
        ok(1, "# SKIP running as root: every file is readable");
    }
    /* /dev/null is written in place, never replaced. */
    is_int(am_hopfield_save(small, "/dev/null"), AM_OK, "save to /dev/null");
    ok(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode), "/dev/null is still the device");
    /* Reading a device: no libam file there. */
    is_int(am_hopfield_load(&g, "/dev/zero"), AM_EFORMAT, "load /dev/zero: not a libam file");

    am_hopfield_free(small);
    am_hopfield_free(big);
    unlink(path("link.am"));
    unlink(target);
    rmdir(dir);
    return done_testing();
}
