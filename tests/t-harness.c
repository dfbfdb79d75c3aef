/* The experiments' shared option parsing: value parsers, the command line, option scopes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "harness/harness.h"
#include "tap.h"

int main(void)
{
    double v[64];
    uint64_t u[8];
    const char *w[4];
    char buf[64];
    is_int(am_parse_range("0.02:0.2:0.01", v, 64), 19, "0.02:0.2:0.01 has 19 points");
    is_near(v[18], 0.2, 1e-12, "last point 0.2");
    is_int(am_parse_range("0.1:0.1:1", v, 64), 1, "single-point range");
    is_int(am_parse_range("0.2:0.1:0.01", v, 64), -1, "reversed range rejected");
    is_int(am_parse_range("0:1:0", v, 64), -1, "zero step rejected");
    is_int(am_parse_range("0:1", v, 64), -1, "missing step rejected");
    is_int(am_parse_range("0:1:0.1x", v, 64), -1, "trailing junk rejected");
    is_int(am_parse_range("0:100:1", v, 64), -1, "too many points rejected");
    is_int(am_parse_u64_list("10,20,300", u, 8), 3, "list of three");
    ok(u[2] == 300, "list values");
    is_int(am_parse_u64_list("10,,20", u, 8), -1, "empty item rejected");
    is_int(am_parse_u64_list("10,-2", u, 8), -1, "negative rejected");
    is_int(am_parse_u64_list("10,", u, 8), -1, "trailing comma rejected");
    is_int(am_parse_words("hebb,storkey", buf, sizeof buf, w, 4), 2, "two words");
    ok(!strcmp(w[1], "storkey"), "second word");
    is_int(am_parse_words("a,b,c,d,e", buf, sizeof buf, w, 4), -1, "too many words rejected");
    is_int(am_parse_words("", buf, sizeof buf, w, 4), -1, "empty rejected");
    /* Hostile values: never a huge count, never a non-finite value. */
    is_int(am_parse_range("0.1:0.1:1e999", v, 64), -1, "an infinite step is rejected");
    is_int(am_parse_range("0.1:inf:0.1", v, 64), -1, "an infinite end is rejected");
    is_int(am_parse_range("nan:1:0.1", v, 64), -1, "NaN is rejected");
    is_int(am_parse_range("0:1e300:1e-300", v, 64), -1, "a range of 1e600 points is rejected at once");
    is_int(am_parse_double_list("1,16,1e30", 0, 1e30, v, 8), 3, "double list");
    ok(v[2] == 1e30, "double list values");
    is_int(am_parse_double_list("1,1e31", 0, 1e30, v, 8), -1, "out of range rejected");
    is_int(am_parse_double_list("1,nan", 0, 1e30, v, 8), -1, "NaN rejected");
    is_int(am_parse_double_list("1,", 0, 1e30, v, 8), -1, "trailing comma rejected");
    unsigned long r = 0, c = 0;
    ok(am_parse_shape("28x28", &r, &c) == 0 && r == 28 && c == 28, "shape 28x28");
    is_int(am_parse_shape("-1x-784", &r, &c), -1, "negative shape rejected (no wrap-around)");
    is_int(am_parse_shape("28x", &r, &c), -1, "half a shape rejected");
    is_int(am_parse_shape("0x5", &r, &c), -1, "zero rows rejected");
    is_int(am_parse_shape("99999x2", &r, &c), -1, "a huge side rejected");
    static const char *const kinds[] = {"noise", "occlude", "class", NULL};
    int kind[8];
    is_int(am_parse_kv_list("noise:0.3,occlude:14,class", kinds, kind, v, 8), 3, "kind:value list");
    ok(kind[1] == 1 && v[1] == 14 && isnan(v[2]), "kinds and values (class has none)");
    is_int(am_parse_kv_list("noise:inf", kinds, kind, v, 8), -1, "infinite value rejected");
    is_int(am_parse_kv_list("blur:2", kinds, kind, v, 8), -1, "unknown kind rejected");
    is_int(am_parse_kv_list("noise:0.3,", kinds, kind, v, 8), -1, "trailing comma rejected");

    /* The command line: given options are marked; scopes reject options of other settings. */
    setenv("AM_NO_REEXEC", "1", 1);
    const char *model = "hopfield", *rule = "hebb", *f = "poly";
    int dim = 0;
    am_opt opts[] = {
        {"model", AM_OPT_STRING, &model, "M", "model"},
        {"rule", AM_OPT_STRING, &rule, "R", "rule", "hopfield"},
        {"F", AM_OPT_STRING, &f, "F", "function", "dense"},
        {"d", AM_OPT_INT, &dim, "d", "dimension", "modern,dense"},
        {NULL, 0, NULL, NULL, NULL},
    };
    char *argv1[] = {"prog", "--model", "dense", "--rule", "storkey", NULL};
    am_run run = {.program = "prog"};
    is_int(am_run_parse(&run, opts, 5, argv1), 0, "parse --model dense --rule storkey");
    ok(opts[0].given && opts[1].given && !opts[2].given, "given options are marked");
    is_status_msg(am_run_check_scope(&run, opts, model, "--model dense"), -1,
                  "prog: --rule applies to hopfield only, not to --model dense\n", "--rule with --model dense is rejected");
    char *argv2[] = {"prog", "--model", "dense", "--F", "exp", "--d", "5", NULL};
    for (am_opt *o = opts; o->name; o++)
        o->given = 0;
    am_run run2 = {.program = "prog"};
    is_int(am_run_parse(&run2, opts, 7, argv2), 0, "parse --model dense --F exp --d 5");
    is_status_msg(am_run_check_scope(&run2, opts, model, "--model dense"), 0, "",
                  "options of the dense model are accepted, silently");
    is_status_msg(am_run_check_scope(&run2, opts, "modern", "--model modern"), -1,
                  "prog: --F applies to dense only, not to --model modern\n", "--F with --model modern is rejected");
    char *argv3[] = {"prog", "--threads", "0", NULL};
    am_run run3 = {.program = "prog"};
    is_status_msg(am_run_parse(&run3, opts, 3, argv3), -1, "prog: --threads must be between 1 and 1024\n",
                  "--threads 0 is rejected");
    char *argv4[] = {"prog", "--resume", NULL};
    am_run run4 = {.program = "prog"};
    is_status_msg(am_run_parse(&run4, opts, 2, argv4), -1, "prog: unknown option \"--resume\" (try --help)\n",
                  "--resume exists only for programs that run jobs");
    am_run run5 = {.program = "prog", .resumable = 1};
    is_status_msg(am_run_parse(&run5, opts, 2, argv4), -1, "prog: --resume needs --out FILE or --checkpoint FILE\n",
                  "and by those needs --out or --checkpoint");
    char out[] = "/tmp/am-t-harness-XXXXXX";
    int fd = mkstemp(out);
    char *argv5[] = {"prog", "--resume", "--out", out, NULL};
    am_run run6 = {.program = "prog", .resumable = 1};
    is_status_msg(am_run_parse(&run6, opts, 4, argv5), 0, "", "with --out it is accepted, silently");
    ok(run6.resume == 1 && run6.rank == 0 && run6.ranks == 1, "one process without mpirun");
    if (fd >= 0) {
        close(fd);
        unlink(out);
    }
    return done_testing();
}
