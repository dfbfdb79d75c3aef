/* libam — spiking networks of leaky integrate-and-fire neurons in fixed time steps.
 *
 * Populations of LIF neurons (membrane time constant, rest, threshold, reset, refractory period, a constant
 * drive), each with one kind of synapse:
 *   delta        an incoming spike moves v by its weight (mV) at once (Brunel 2000)
 *   current      exponential synaptic currents ge, gi (mV), tau_e, tau_i:  tau_m dv/dt = -(v - E_L) + ge + gi + I
 *   conductance  exponential conductances ge, gi in units of the leak:      tau_m dv/dt = -(v - E_L) + ge (E_e - v)
 *                                                                              + gi (E_i - v) + I
 *   (I: the constant drive in mV, i.e. R times the input current.) A spike adds its weight to ge (excitatory
 *   synapses) or gi (inhibitory; for current synapses the weight is negative).
 * Integration: explicit Euler (as Brian2's method="euler") or exact (exponential Euler: the linear equation
 * solved exactly over a step with the synaptic variables held, which decay exactly). A neuron whose v exceeds
 * the threshold spikes and is reset. Spikes are timed at the start of their step (as in Brian2: step k, time
 * k dt), and the neuron is refractory until t_ref after that time (v held at the reset, its synapses decaying
 * on): it integrates again from step k + round(t_ref / dt).
 *
 * Connections (projections from a range of neurons to a range): fixed probability p (every pair drawn; no
 * self-connections unless asked) or fixed in-degree K (K distinct presynaptic neurons per target), a weight,
 * a receptor (excitatory or inhibitory) and a delay (a whole number of steps, 0 allowed). They are kept in
 * rows by presynaptic neuron, one segment per projection (its targets, ascending; weight, delay and receptor
 * stored once); spikes go through a ring buffer of delay slots.
 *
 * One step t: every neuron adds the input arriving now, then integrates; spikes are detected and reset; each
 * spike is sent along its row into the slot of step t + delay. An input sent with delay 0 acts at the next
 * step, as in Brian2 (state update, threshold, synaptic effects, reset). External Poisson input per neuron: a
 * number of events drawn each step at rate x dt, each adding the input weight.
 *
 * Randomness: connections, initial potentials and Poisson input come from counter-based streams keyed by
 * (seed, neuron, step), never from a shared generator, so a run gives the same spikes at any thread count. */
#ifndef AM_SPIKING_H
#define AM_SPIKING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_SYN_DELTA = 0, AM_SYN_CURRENT = 1, AM_SYN_CONDUCTANCE = 2 } am_syn_kind;
typedef enum { AM_INT_EULER = 0, AM_INT_EXACT = 1 } am_integrator;

/* One population's neurons. Times in ms, potentials in mV, rates in Hz. */
typedef struct am_lif_params {
    double tau_m;          /* > 0 */
    double v_rest;         /* E_L */
    double v_reset;
    double v_thresh;       /* > v_reset */
    double t_ref;          /* >= 0 */
    double drive;          /* I, mV */
    am_syn_kind syn;
    double tau_e, tau_i;   /* current and conductance synapses: > 0 */
    double e_e, e_i;       /* conductance synapses: reversal potentials */
    double v0_mean, v0_sd; /* initial potential ~ N(mean, sd^2) (sd >= 0) ... */
    int v0_uniform;        /* ... or, when set, uniform in [mean - sd, mean + sd] */
    double ext_rate;       /* external Poisson events per neuron, Hz (>= 0; 0: none) */
    double ext_weight;     /* the weight of each (to ge for current/conductance synapses) */
} am_lif_params;

/* Defaults: tau_m 20, E_L = reset -60, threshold -50, t_ref 5, drive 0, conductance synapses with tau_e 5,
 * tau_i 10, E_e 0, E_i -80, v0 = E_L, no external input (the COBA benchmark's neurons without drive). */
void am_lif_params_default(am_lif_params *p);

typedef enum { AM_CONN_PROB = 0, AM_CONN_INDEGREE = 1 } am_conn_kind;

typedef struct am_conn {
    am_conn_kind kind;
    double p;              /* AM_CONN_PROB: in [0, 1] */
    size_t k;              /* AM_CONN_INDEGREE: <= the presynaptic count (or count - 1 without autapses) */
    double weight;         /* finite, |weight| <= FLT_MAX (synapses hold floats) */
    int inhibitory;        /* 0: to ge (or v), 1: to gi (or v) */
    double delay;          /* ms, >= 0: rounded to whole steps */
    int autapses;          /* allow i -> i when the ranges overlap */
} am_conn;

typedef struct am_snn am_snn;

#define AM_SNN_MAX_DT 10.0            /* ms */
#define AM_SNN_MAX_DELAY_STEPS 60000  /* a connection's delay / dt */
#define AM_SNN_MAX_REF_STEPS 1e9      /* a population's t_ref / dt */

/* dt in ms (0 < dt <= AM_SNN_MAX_DT). */
int am_snn_create(am_snn **out, double dt, am_integrator method, uint64_t seed);
void am_snn_free(am_snn *n);
/* Append count neurons with parameters p (copied); *first = the index of the first. Bad parameters (tau or dt
 * not positive, threshold not above reset, NaN or beyond float range, ...) are AM_EINVAL. */
int am_snn_add(am_snn *n, size_t count, const am_lif_params *p, size_t *first);
/* Connect neurons [pre, pre + npre) to [post, post + npost). Connections are drawn when added, from streams of
 * (seed, projection number, neuron): adding the same projections in the same order gives the same network.
 * AM_EINVAL for bad arguments; AM_EOVERFLOW when the synapse count would not fit (N p overflow). A failed or
 * cancelled projection (AM_ECANCELED, am/cancel.h) adds no synapse. */
int am_snn_connect(am_snn *n, size_t pre, size_t npre, size_t post, size_t npost, const am_conn *c);

size_t am_snn_size(const am_snn *n);
size_t am_snn_synapses(const am_snn *n);
double am_snn_dt(const am_snn *n);
/* Steps run so far. */
uint64_t am_snn_step_count(const am_snn *n);
/* Membrane potentials (size entries, owned; valid until the next run). NULL before the first run, which draws
 * the initial potentials (am_snn_run(n, 0, ...) draws them without a step). */
const float *am_snn_v(const am_snn *n);
/* Spikes of each neuron so far (size entries, owned). NULL before the first run. */
const uint64_t *am_snn_spike_counts(const am_snn *n);

/* Observers of a run (any member may be NULL / 0). */
typedef struct am_snn_monitor {
    /* every step with spikes: the step, its time (ms, start of the step) and the neurons that spiked, ascending */
    void (*on_spikes)(uint64_t step, double t, const uint32_t *ids, size_t count, void *ctx);
    /* after every `stride`-th step: the potentials of the `nrecord` neurons `record` (time: the step's start) */
    const uint32_t *record;
    size_t nrecord, stride;
    void (*on_state)(uint64_t step, double t, const float *v, size_t count, void *ctx);
    void *ctx;
} am_snn_monitor;

/* Run `steps` steps (threads <= 0: all available; fewer are used when each would have under 64k neurons, where
 * synchronising threads every step costs more than it saves; the results do not depend on it: each thread
 * updates a range of neurons and delivers the step's spikes to the targets in that range, every target adding
 * its inputs in the same order, spikes ascending). Connections are
 * finalised on the first run (no connections can be added after it: AM_EINVAL). The state carries over to the
 * next run. AM_EEMPTY for a network without neurons; AM_EOVERFLOW when the step count would pass 2^64 - 1; a
 * cancelled run (AM_ECANCELED, am/cancel.h) stops after a whole step, am_snn_step_count telling how far. */
int am_snn_run(am_snn *n, uint64_t steps, const am_snn_monitor *mon, int threads);

/* Firing rate (Hz) of a LIF neuron with membrane time constant tau (ms), refractory period t_ref (ms), reset
 * v_r and threshold theta (mV) under constant drive mu (mV, the asymptotic potential above rest is mu):
 * 1 / (t_ref + tau ln((mu - v_r) / (mu - theta))) for mu > theta, else 0 (potentials relative to rest). */
double am_lif_rate(double tau, double t_ref, double v_r, double theta, double mu);

#ifdef __cplusplus
}
#endif
#endif
