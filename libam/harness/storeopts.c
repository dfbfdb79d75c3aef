/* Store-type options for programs: --model and one option per parameter of the store types a program takes,
 * built from the table of store types (am/store.h), and the configurations a command line asks for. */
#include <stdio.h>
#include <string.h>

#include "am/error.h"
#include "am/sequence.h"
#include "am/store.h"
#include "harness.h"

static int accepts(const am_store_opts *so, const am_store_type *t)
{
    unsigned f = am_store_type_flags(t);
    return (f & so->require) == so->require && !(f & so->exclude);
}

/* The slot of parameter `name`, made if new; its help gains "; TYPE: help" when type gives it another meaning,
 * and its defaults (dflt, one line per slot) "; TYPE: value" when type gives it another default. */
static int slot_of(am_store_opts *so, const am_store_param *p, const char *type, char (*dflt)[128])
{
    int k;
    for (k = 0; k < so->nparams; k++)
        if (!strcmp(so->name[k], p->name))
            break;
    if (k == so->nparams) {
        if (k == AM_STORE_OPTS_MAX)
            return -1;
        so->name[k] = p->name;
        so->value[k] = NULL;
        so->dflt[k] = NULL;
        so->scope[k][0] = 0;
        snprintf(so->metavar[k], sizeof so->metavar[k], so->list ? "%s[,%s...]" : "%s", p->metavar, p->metavar);
        snprintf(so->help[k], sizeof so->help[k], "%s", p->help);
        snprintf(dflt[k], sizeof dflt[k], "%s", p->dflt);
        so->nparams++;
    }
    size_t len = strlen(so->scope[k]), hl = strlen(so->help[k]), dl = strlen(dflt[k]);
    if (len && !strstr(so->help[k], p->help)) /* another meaning */
        snprintf(so->help[k] + hl, sizeof so->help[k] - hl, "; %s: %s", type, p->help);
    if (len && strcmp(dflt[k], p->dflt) && !strstr(dflt[k], p->dflt)) /* another default */
        snprintf(dflt[k] + dl, sizeof dflt[k] - dl, "; %s: %s", type, p->dflt);
    snprintf(so->scope[k] + len, sizeof so->scope[k] - len, "%s%s", len ? "," : "", type);
    return k;
}

int am_store_opts_add(am_store_opts *so, const char *model_default, unsigned require, unsigned exclude, int list,
                      am_opt *opts, size_t cap)
{
    size_t count = 0, len = 0;
    while (opts[count].name)
        count++;
    so->model = model_default;
    so->require = require, so->exclude = exclude, so->list = list;
    so->nparams = 0;
    so->model_help[0] = 0;
    char dflt[AM_STORE_OPTS_MAX][128];
    for (const am_store_type *const *t = am_store_types(); *t; t++) {
        size_t np;
        if (!accepts(so, *t))
            continue;
        len += (size_t)snprintf(so->model_help + len, sizeof so->model_help - len, "%s%s", len ? ", " : "memory model: ",
                                am_store_type_name(*t));
        const am_store_param *p = am_store_type_params(*t, &np);
        for (size_t k = 0; k < np; k++)
            if (slot_of(so, &p[k], am_store_type_name(*t), dflt) < 0)
                return AM_ERANGE;
    }
    for (int k = 0; k < so->nparams; k++) { /* one group of defaults after the help of every type */
        size_t hl = strlen(so->help[k]);
        snprintf(so->help[k] + hl, sizeof so->help[k] - hl, " (default %s)", dflt[k]);
    }
    size_t add = 1 + (size_t)so->nparams;
    if (count + add + 1 > cap)
        return AM_ERANGE;
    /* first in --help: the model and its parameters, then the program's own options */
    memmove(opts + add, opts, (count + 1) * sizeof *opts);
    opts[0] = (am_opt){so->model_opt ? so->model_opt : "model", AM_OPT_STRING, &so->model,
                       so->model_opt ? "LIST" : "M", so->model_help};
    for (int k = 0; k < so->nparams; k++)
        opts[1 + k] = (am_opt){so->name[k], AM_OPT_STRING, &so->value[k], so->metavar[k], so->help[k], so->scope[k]};
    return AM_OK;
}

const am_store_type *am_store_opts_type(const am_run *run, const am_store_opts *so, const am_opt *opts,
                                        const char *also, const char *also_what)
{
    const am_store_type *t = am_store_type_find(so->model);
    char what[160], active[160];
    if (!t || !accepts(so, t)) {
        am_run_error(run, "unknown --model %s (%s)", AM__QUOTE(so->model), so->model_help + strlen("memory model: "));
        return NULL;
    }
    snprintf(what, sizeof what, "--model %s%s%s", am_store_type_name(t), also_what ? " " : "", also_what ? also_what : "");
    snprintf(active, sizeof active, "%s%s%s", am_store_type_name(t), also ? "," : "", also ? also : "");
    return am_run_check_scope(run, opts, active, what) ? NULL : t;
}

int am_store_opts_default(am_store_opts *so, const char *name, const char *value)
{
    for (int k = 0; k < so->nparams; k++)
        if (!strcmp(so->name[k], name)) {
            so->dflt[k] = value;
            char *d = strstr(so->help[k], " (default ");
            if (d)
                snprintf(d, sizeof so->help[k] - (size_t)(d - so->help[k]), " (default %s)", value);
            return AM_OK;
        }
    return AM_EINVAL;
}

/* The configurations of every combination of the listed values, first parameter slowest. */
static int expand(const am_run *run, const am_store_opts *so, const am_store_config *base, int k,
                  am_store_config *cfgs, int *count, int max)
{
    size_t np;
    const am_store_param *p = am_store_type_params(base->type, &np);
    if ((size_t)k == np) {
        char why[200];
        if (am_store_config_check(base, why, sizeof why)) {
            am_run_error(run, "%s", why);
            return -1;
        }
        if (*count == max) {
            am_run_error(run, "at most %d store configurations in one run", max);
            return -1;
        }
        cfgs[(*count)++] = *base;
        return 0;
    }
    const char *given = NULL;
    for (int s = 0; s < so->nparams; s++)
        if (!strcmp(so->name[s], p[k].name))
            given = so->value[s] ? so->value[s] : so->dflt[s];
    if (!given)
        return expand(run, so, base, k + 1, cfgs, count, max);
    char buf[512];
    const char *words[64];
    int nw = am_parse_words(given, buf, sizeof buf, words, so->list ? 64 : 1);
    if (nw < 1) {
        am_run_error(run, "--%s wants %s", p[k].name, so->list ? "a comma-separated list of values" : "one value");
        return -1;
    }
    for (int w = 0; w < nw; w++) {
        am_store_config c = *base;
        char why[200];
        if (am_store_config_set(&c, p[k].name, words[w], why, sizeof why)) {
            am_run_error(run, "--%s %s: %s", p[k].name, AM__QUOTE(words[w]), why);
            return -1;
        }
        if (expand(run, so, &c, k + 1, cfgs, count, max))
            return -1;
    }
    return 0;
}

int am_store_opts_configs(const am_run *run, const am_store_opts *so, const am_store_type *t, size_t n,
                          am_store_config *cfgs, int max)
{
    am_store_config base;
    int count = 0;
    am_store_config_default(&base, t, n);
    if (expand(run, so, &base, 0, cfgs, &count, max))
        return -1;
    /* Values that do not apply to the others (a degree with F=exp) give the same configuration twice. */
    int kept = 0;
    for (int a = 0; a < count; a++) {
        char da[256], db[256];
        int dup = 0;
        am_store_config_describe(&cfgs[a], da, sizeof da);
        for (int b = 0; b < kept && !dup; b++) {
            am_store_config_describe(&cfgs[b], db, sizeof db);
            dup = !strcmp(da, db);
        }
        if (!dup)
            cfgs[kept++] = cfgs[a];
    }
    return kept;
}

int am_store_opts_parse(am_run *run, am_store_opts *so, const char *model_default, unsigned require, unsigned exclude,
                        int list, const char *const *defaults, am_opt *opts, size_t cap, int argc, char **argv)
{
    int bad = am_store_opts_add(so, model_default, require, exclude, list, opts, cap) != 0;
    for (const char *const *d = defaults; !bad && d && d[0]; d += 2)
        bad = am_store_opts_default(so, d[0], d[1]) != 0;
    if (bad) {
        am_run_error(run, "too many store options");
        return 2;
    }
    int rc = am_run_parse(run, opts, argc, argv);
    return rc ? (rc > 0 ? 0 : 2) : -1;
}

const char *am_store_opts_scope(unsigned flags, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (const am_store_type *const *t = am_store_types(); *t; t++)
        if ((am_store_type_flags(*t) & flags) == flags && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", am_store_type_name(*t));
    return buf;
}

/* Configurations whose steps read past states (MixedNet with tau > 1 holds each element for several steps)
 * are refused: measures that count a new element every step (capacity, moving clips, melodies) cannot use
 * them. */
int am_store_opts_stepwise(const am_run *run, const am_store_config *cfgs, int count)
{
    for (int k = 0; k < count; k++) {
        am_store_config c = cfgs[k];
        am_store *s = NULL;
        char label[64];
        c.n = 8;
        if (am_store_create(&s, &c))
            continue; /* refused later with its reason */
        unsigned mem = am_sequence_memory(s);
        am_store_free(s);
        if (mem) {
            am_store_config_label(&cfgs[k], label, sizeof label);
            am_run_error(run, "%s holds each element for %u steps, and this measure expects a new element every "
                              "step: use replay (or tau 1)", label, mem + 1);
            return -1;
        }
    }
    return 0;
}
