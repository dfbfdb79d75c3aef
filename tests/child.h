/* Tests: a digest of bytes, and the same test program rerun as a child with one environment variable set
 * (e.g. OPENBLAS_CORETYPE, which OpenBLAS reads once at start-up), to compare the bits its computations give. */
#ifndef AM_TESTS_CHILD_H
#define AM_TESTS_CHILD_H

#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* FNV-1a over n bytes, continuing from h (start from 14695981039346656037). */
static inline uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* What a child run of this program with the single argument --digest prints (at most size - 1 bytes, into buf),
 * its environment this one's with var=value (value NULL: var unset); -1 when it could not run or did not exit
 * with status 0. */
static inline int child_digest(const char *self, const char *var, const char *value, char *buf, size_t size)
{
    extern char **environ;
    size_t ne = 0, k = 0, vl = strlen(var);
    while (environ[ne])
        ne++;
    char **env = calloc(ne + 2, sizeof *env), set[96];
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], var, vl) || environ[i][vl] != '=')
            env[k++] = environ[i];
    if (value) {
        snprintf(set, sizeof set, "%s=%s", var, value);
        env[k++] = set;
    }
    int fd[2];
    if (pipe(fd)) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    char *av[] = {(char *)self, "--digest", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, av, env);
    close(fd[1]);
    size_t got = 0;
    ssize_t n;
    while (!rc && got + 1 < size && (n = read(fd[0], buf + got, size - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = 0;
    close(fd[0]);
    int st = 0;
    if (!rc)
        waitpid(pid, &st, 0);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    return rc || !WIFEXITED(st) || WEXITSTATUS(st) ? -1 : 0;
}

/* The kernel-set check of a digest (needs tap.h's ok()): a child run under OPENBLAS_CORETYPE=Prescott, Haswell
 * and, on a CPU with AVX-512, SkylakeX must print `mine` (the digest as "%016llx\n"); `what` names it. */
#define CHILD_SAME_UNDER_KERNELS(self, mine, what)                                                               \
    do {                                                                                                         \
        static const char *const cores_[] = {"Prescott", "Haswell", "SkylakeX"};                                 \
        char got_[64];                                                                                           \
        __builtin_cpu_init();                                                                                    \
        for (int k_ = 0; k_ < 3; k_++) {                                                                         \
            if (k_ == 2 && !__builtin_cpu_supports("avx512f")) {                                                 \
                ok(1, "# SKIP no AVX-512 here: OPENBLAS_CORETYPE=SkylakeX not run");                             \
                continue;                                                                                        \
            }                                                                                                    \
            int rc_ = child_digest(self, "OPENBLAS_CORETYPE", cores_[k_], got_, sizeof got_);                    \
            ok(!rc_ && !strcmp(got_, mine), "%s: the same bits under OPENBLAS_CORETYPE=%s (child: %.16s)", what, \
               cores_[k_], rc_ ? "failed" : got_);                                                               \
        }                                                                                                        \
    } while (0)

#endif
