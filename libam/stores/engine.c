/* The recall engine every binary store shares: the recall vocabulary (options, names, monitor, energy trace),
 * option checking, and one sweep driver for serial (async, Glauber) and synchronous dynamics with cycle
 * detection. A model gives its local field through decide/flip/load/energy (am__binary, internal.h) and, for
 * the plain case, a fused sweep with its vector kernels. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../core/cancel_internal.h"
#include "../core/patterns_internal.h"
#include "am/error.h"
#include "internal.h"

static const char *const dyn_names[] = {"async", "sync", "glauber"};
static const char *const end_names[] = {"fixed", "cycle", "maxsteps"};

const char *am_dynamics_name(am_dynamics d) { return (unsigned)d < 3 ? dyn_names[d] : "?"; }
const char *am_end_name(am_end e) { return (unsigned)e < 3 ? end_names[e] : "?"; }

int am_dynamics_parse(const char *s, am_dynamics *out)
{
    for (int k = 0; k < 3; k++)
        if (s && !strcmp(s, dyn_names[k])) {
            *out = (am_dynamics)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

void am_recall_opts_default(am_recall_opts *o)
{
    o->dynamics = AM_DYN_ASYNC;
    o->order = AM_ORDER_RANDOM;
    o->temperature = 0.0;
    o->max_steps = 100;
    o->trace = NULL;
    o->trace_cap = 0;
    o->monitor = NULL;
    o->monitor_ctx = NULL;
    o->monitor_every = 0;
    o->tolerance = 1e-6;
    o->skip_energy = 0;
}

void am__monitor(const am_recall_opts *o, unsigned sweep, uint64_t updates, size_t unit, size_t n, const int8_t *s,
                 const float *x, double energy)
{
    am_recall_event ev = {sweep, updates, unit, n, s, x, energy};
    o->monitor(&ev, o->monitor_ctx);
}

void am__trace_push(const am_recall_opts *o, am_recall_info *info, double e)
{
    if (o->trace && info->trace_len < o->trace_cap)
        o->trace[info->trace_len++] = e;
}

int am__recall_check(const am_recall_opts *opts, am_recall_opts *opts_out, const am_rng *rng, const int8_t *s,
                     size_t n)
{
    if (!opts)
        am_recall_opts_default(opts_out);
    else
        *opts_out = *opts;
    opts = opts_out;
    if ((unsigned)opts->dynamics > AM_DYN_GLAUBER || (unsigned)opts->order > AM_ORDER_FIXED ||
        !(opts->temperature >= 0.0) || !isfinite(opts->temperature) || (opts->trace_cap && !opts->trace) ||
        !(opts->tolerance >= 0.0))
        return AM_EINVAL;
    if (!rng && ((opts->dynamics != AM_DYN_SYNC && opts->order == AM_ORDER_RANDOM) ||
                 (opts->dynamics == AM_DYN_GLAUBER && opts->temperature > 0.0)))
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (s[i] != 1 && s[i] != -1)
            return AM_EINVAL;
    return AM_OK;
}

static double energy_now(const am__binary *b, const int8_t *s) { return b->energy(b->model, b->work, s); }

/* One serial sweep in the visiting order, unit by unit through decide/flip. */
static int sweep_general(const am__binary *b, int8_t *s, const am_recall_opts *o, double temp, am_rng *rng,
                         unsigned sweep, uint64_t *visits, size_t *changed)
{
    int rc;
    for (size_t k = 0; k < b->n; k++) {
        if (k && k % AM__POLL_UNITS == 0 && (rc = am_cancel_poll()))
            return rc;
        size_t i = b->order[k];
        int8_t ns = b->decide(b->model, b->work, i, s[i], temp, rng);
        if (ns != s[i]) {
            s[i] = ns;
            (*changed)++;
            b->flip(b->model, b->work, s, i, ns);
        }
        (*visits)++;
        if (o->monitor && o->monitor_every && *visits % o->monitor_every == 0)
            am__monitor(o, sweep, *visits, i, b->n, s, NULL, energy_now(b, s));
    }
    return AM_OK;
}

/* The model's fused sweep in blocks of the order, polling the cancel hook between blocks (the same updates
 * in the same order). 1: done; 0: the model has no fused sweep for this state of affairs. */
static int sweep_fused(const am__binary *b, int8_t *s, size_t *changed, int *rc)
{
    for (size_t k0 = 0; k0 < b->n; k0 += AM__POLL_UNITS) {
        size_t len = b->n - k0 < AM__POLL_UNITS ? b->n - k0 : AM__POLL_UNITS;
        if (k0 && (*rc = am_cancel_poll()))
            return 1;
        size_t c = b->fast_sweep(b->model, b->work, s, b->order + k0, len);
        if (c == SIZE_MAX)
            return k0 ? (*rc = AM_EINVAL, 1) : 0; /* a model refuses on the first block or never */
        *changed += c;
    }
    return 1;
}

static int run_serial(const am__binary *b, int8_t *s, const am_recall_opts *o, am_rng *rng, am_recall_info *info)
{
    size_t n = b->n;
    double temp = o->dynamics == AM_DYN_GLAUBER ? o->temperature : 0.0;
    uint64_t visits = 0;
    int rc;
    for (size_t i = 0; i < n; i++)
        b->order[i] = (uint32_t)i;
    b->load(b->model, b->work, s);
    info->end = AM_END_MAXSTEPS;
    am__trace_push(o, info, energy_now(b, s));
    if (o->monitor)
        am__monitor(o, 0, 0, SIZE_MAX, n, s, NULL, energy_now(b, s));
    while (info->steps < o->max_steps) {
        size_t changed = 0;
        if ((rc = am_cancel_poll()))
            return rc;
        if (o->order == AM_ORDER_RANDOM)
            am_rng_shuffle_u32(rng, b->order, n);
        rc = AM_OK;
        if (temp == 0.0 && !o->monitor && b->fast_sweep && sweep_fused(b, s, &changed, &rc)) {
            if (rc)
                return rc;
            visits += n;
        } else if ((rc = sweep_general(b, s, o, temp, rng, info->steps, &visits, &changed))) {
            return rc;
        }
        info->steps++;
        info->flips += changed;
        if (o->trace)
            am__trace_push(o, info, energy_now(b, s));
        if (o->monitor)
            am__monitor(o, info->steps, visits, SIZE_MAX, n, s, NULL, energy_now(b, s));
        if (changed == 0 && temp == 0.0) {
            info->end = AM_END_FIXED;
            break;
        }
    }
    return AM_OK;
}

static int run_sync(const am__binary *b, int8_t *s, const am_recall_opts *o, am_recall_info *info)
{
    size_t n = b->n, words = (n + 63) / 64;
    uint64_t *cur = b->pk, *prev = b->pk + words, *next = b->pk + 2 * words;
    int have_prev = 0, rc = AM_OK;
    info->end = AM_END_MAXSTEPS;
    if (o->monitor) {
        b->load(b->model, b->work, s);
        am__monitor(o, 0, 0, SIZE_MAX, n, s, NULL, energy_now(b, s));
    }
    while (info->steps < o->max_steps) {
        size_t changed = 0;
        if ((rc = am_cancel_poll()))
            break;
        b->load(b->model, b->work, s);
        am_state_pack(s, n, cur);
        if (info->steps == 0)
            am__trace_push(o, info, energy_now(b, s));
        for (size_t i = 0; i < n; i++) {
            b->snew[i] = b->decide(b->model, b->work, i, s[i], 0.0, NULL);
            changed += b->snew[i] != s[i];
        }
        info->steps++;
        if (changed == 0) {
            am__trace_push(o, info, energy_now(b, s));
            if (o->monitor)
                am__monitor(o, info->steps, (uint64_t)info->steps * n, SIZE_MAX, n, s, NULL, energy_now(b, s));
            info->end = AM_END_FIXED;
            break;
        }
        memcpy(s, b->snew, n);
        info->flips += changed;
        am_state_pack(s, n, next);
        int cycle = have_prev && !memcmp(next, prev, words * sizeof(uint64_t));
        memcpy(prev, cur, words * sizeof(uint64_t));
        have_prev = 1;
        if (o->trace || o->monitor)
            b->load(b->model, b->work, s);
        if (o->trace)
            am__trace_push(o, info, energy_now(b, s));
        if (o->monitor)
            am__monitor(o, info->steps, (uint64_t)info->steps * n, SIZE_MAX, n, s, NULL, energy_now(b, s));
        if (cycle) {
            info->end = AM_END_CYCLE;
            break;
        }
    }
    return rc;
}

int am__recall_binary(const am__binary *b, int8_t *s, const am_recall_opts *o, am_rng *rng, am_recall_info *info)
{
    int rc = o->dynamics == AM_DYN_SYNC ? run_sync(b, s, o, info) : run_serial(b, s, o, rng, info);
    b->load(b->model, b->work, s); /* fresh quantities of the state reached, also after a cancel */
    info->energy = energy_now(b, s);
    return rc;
}
