/* The XOR switch with signed readouts on the spiking engine (see am/xormotif.h). */
#include <math.h>

#include "am/error.h"
#include "am/xormotif.h"

void am_xor_params_default(am_xor_params *p)
{
    *p = (am_xor_params){.tau_in = 12, .tau_lat = 15, .tau_hub = 6, .tau_syn = 8, .t_ref_e = 3, .t_ref_i = 1,
                         .drive = 25, .trial = 100, .dt = 0.1, .w_in_lat = 84, .w_in_hub = 28, .w_hub_lat = -84,
                         .w_lat_xor = 84, .w_f = 28, .delay = 1.0, .delay_hub = 0.5, .bg_rate = 0, .bg_weight = 6,
                         .active = 2, .readout_inputs = 0};
}

int am_xor_params_check(const am_xor_params *p)
{
    if (!p || !(p->tau_in > 0 && p->tau_lat > 0 && p->tau_hub > 0 && p->tau_syn > 0) || !(p->t_ref_e >= 0) ||
        !(p->t_ref_i >= 0) || !(p->dt > 0 && p->dt <= 1) || !(p->trial > 0 && p->trial <= 1e6) || p->active < 1 ||
        !isfinite(p->drive) || !isfinite(p->w_in_lat) || !isfinite(p->w_in_hub) || !isfinite(p->w_hub_lat) ||
        !isfinite(p->w_lat_xor) || !isfinite(p->w_f) || !(p->delay >= 0 && p->delay <= 1000) ||
        !(p->delay_hub >= 0 && p->delay_hub <= 1000) || !(p->bg_rate >= 0 && p->bg_rate <= AM_XOR_MAX_BG_RATE) ||
        !isfinite(p->bg_weight) || !isfinite(p->tau_in + p->tau_lat + p->tau_hub + p->tau_syn + p->t_ref_e + p->t_ref_i))
        return AM_EINVAL;
    return AM_OK;
}

int am_xor_trial(const am_xor_params *c, double s1, double s3, uint64_t seed, uint64_t *counts, const am_snn_monitor *mon)
{
    if (!counts || am_xor_params_check(c) || !isfinite(s1) || !isfinite(s3))
        return AM_EINVAL;
    am_snn *n = NULL;
    int rc = am_snn_create(&n, c->dt, AM_INT_EULER, seed);
    size_t id[AM_XOR_ROLES];
    const double taum[AM_XOR_ROLES] = {c->tau_in, c->tau_lat, c->tau_in, c->tau_lat, c->tau_lat, c->tau_hub, c->tau_lat, c->tau_hub};
    for (int r = 0; r < AM_XOR_ROLES && !rc; r++) {
        am_lif_params p;
        am_lif_params_default(&p);
        p.syn = AM_SYN_CURRENT;
        p.v_rest = -70;
        p.v_reset = -65;
        p.v_thresh = -50;
        p.v0_mean = -70;
        p.tau_m = taum[r];
        p.tau_e = p.tau_i = c->tau_syn;
        p.t_ref = r == AM_XOR_HUB6 || r == AM_XOR_FMINUS ? c->t_ref_i : c->t_ref_e;
        p.drive = r == AM_XOR_IN1 ? c->drive * s1 : r == AM_XOR_IN3 ? c->drive * s3 : 0.0;
        if ((r == AM_XOR_IN1 || r == AM_XOR_IN3) && c->bg_rate > 0) {
            p.ext_rate = c->bg_rate;
            p.ext_weight = c->bg_weight;
        }
        rc = am_snn_add(n, 1, &p, &id[r]);
    }
    const struct {
        int a, b;
        double w, d;
    } e[] = {{AM_XOR_IN1, AM_XOR_LAT2, c->w_in_lat, c->delay},
             {AM_XOR_IN1, AM_XOR_HUB6, c->w_in_hub, c->delay},
             {AM_XOR_IN3, AM_XOR_LAT4, c->w_in_lat, c->delay},
             {AM_XOR_IN3, AM_XOR_HUB6, c->w_in_hub, c->delay},
             {AM_XOR_LAT2, AM_XOR_OUT5, c->w_lat_xor, c->delay},
             {AM_XOR_LAT4, AM_XOR_OUT5, c->w_lat_xor, c->delay},
             {AM_XOR_HUB6, AM_XOR_LAT2, c->w_hub_lat, c->delay_hub},
             {AM_XOR_HUB6, AM_XOR_LAT4, c->w_hub_lat, c->delay_hub},
             {AM_XOR_OUT5, AM_XOR_FPLUS, c->w_f, c->delay},
             {AM_XOR_OUT5, AM_XOR_FMINUS, c->w_f, c->delay},
             {c->readout_inputs ? AM_XOR_IN1 : AM_XOR_LAT2, AM_XOR_FPLUS, c->w_f, c->delay},
             {c->readout_inputs ? AM_XOR_IN3 : AM_XOR_LAT4, AM_XOR_FMINUS, c->w_f, c->delay}};
    for (size_t k = 0; k < sizeof e / sizeof e[0] && !rc; k++) {
        am_conn cn = {AM_CONN_PROB, 1.0, 0, e[k].w, e[k].w < 0, e[k].d, 0};
        rc = am_snn_connect(n, id[e[k].a], 1, id[e[k].b], 1, &cn);
    }
    if (!rc)
        rc = am_snn_run(n, (uint64_t)llround(c->trial / c->dt), mon, 1);
    for (int r = 0; r < AM_XOR_ROLES && !rc; r++)
        counts[r] = am_snn_spike_counts(n)[id[r]];
    am_snn_free(n);
    return rc;
}

double am_xor_signed_error(const am_xor_params *p, const uint64_t *k)
{
    return ((double)k[AM_XOR_FPLUS] - (double)k[AM_XOR_FMINUS]) * 1000.0 / p->trial;
}

int am_xor_signed_bit(const am_xor_params *p, const uint64_t *k)
{
    int fp = k[AM_XOR_FPLUS] >= (uint64_t)p->active, fm = k[AM_XOR_FMINUS] >= (uint64_t)p->active;
    return fp && !fm ? 1 : fm && !fp ? -1 : 0;
}
