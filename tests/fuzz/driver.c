/* A main for the fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput on every file named on the
 * command line (directories: every file in them), so that the seeds and the regression inputs replay in
 * `make check`, under the sanitizers in the sanitized build. Prints a TAP line per directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static size_t run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = n > 0 ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    /* What the code under test prints (usage text, error lines) stays out of the TAP stream. */
    fflush(stdout);
    fflush(stderr);
    int o = dup(1), e = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    LLVMFuzzerTestOneInput(buf, got);
    fflush(stdout);
    fflush(stderr);
    dup2(o, 1);
    dup2(e, 2);
    close(o), close(e), close(null);
    free(buf);
    return 1;
}

int main(int argc, char **argv)
{
    int t = 0;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int k = 1; k < argc; k++) {
        struct stat st;
        size_t ran = 0;
        if (stat(argv[k], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[k]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                    continue;
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", argv[k], e->d_name);
                ran += run_file(p);
            }
            if (d)
                closedir(d);
        } else {
            ran = run_file(argv[k]);
        }
        printf("ok %d - %zu inputs from %s replayed without a crash\n", ++t, ran, argv[k]);
        fflush(stdout);
    }
    printf("1..%d\n", t);
    return 0;
}
