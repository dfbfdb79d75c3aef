/* The programs' command-line parser and option scopes: the input is an argv, NUL-separated. */
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("AM_NO_REEXEC", "1", 1); /* never restart the fuzzer for faster OpenBLAS kernels */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        setenv("AM_NO_REEXEC", "1", 1);
        init = 1;
    }
    char *s = malloc(size + 1), *argv[34];
    int argc = 1;
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    argv[0] = "fuzz";
    for (char *p = s; argc < 33 && p <= s + size;) {
        argv[argc++] = p;
        p += strlen(p) + 1;
    }
    argv[argc] = NULL;
    const char *model = "hopfield", *list = NULL, *str = NULL;
    int n = 10, flag = 0;
    uint64_t u = 0;
    double x = 0.5;
    am_opt opts[] = {
        {"model", AM_OPT_STRING, &model, "M", "model"},
        {"n", AM_OPT_INT, &n, "n", "an int"},
        {"u", AM_OPT_U64, &u, "u", "a u64", "dense"},
        {"x", AM_OPT_DOUBLE, &x, "x", "a double", "hopfield,modern"},
        {"list", AM_OPT_STRING, &list, "L", "a list", "--flag"},
        {"str", AM_OPT_STRING, &str, "S", "a string"},
        {"flag", AM_OPT_FLAG, &flag, NULL, "a flag"},
        {NULL, 0, NULL, NULL, NULL},
    };
    am_run run = {.program = "fuzz", .summary = "fuzz", .resumable = (int)(size & 1)};
    FILE *saved = stdout;
    (void)saved;
    if (am_run_parse(&run, opts, argc, argv) == 0) {
        char active[64];
        snprintf(active, sizeof active, "%s%s", model, flag ? ",--flag" : "");
        (void)am_run_check_scope(&run, opts, active, "this run");
    }
    free(s);
    return 0;
}
