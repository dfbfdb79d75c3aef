/* libam — the excitatory/inhibitory XOR switch of Marco de Lucas, Lloret Iglesias and Peña Fernández (2024)
 * as a spiking circuit on am/spiking.h, with the signed readouts F+ and F- that turn the mismatch into a
 * signed error.
 *
 * Roles: inputs 1 (signal) and 3 (reference), laterals 2 and 4, inhibitory hub 6, XOR output 5, readouts
 * F+ (excitatory) and F- (fast inhibitory). Excitatory 1->2, 1->6, 3->4, 3->6, 2->5, 4->5, 5->F+, 5->F-,
 * and 2->F+, 4->F- (or 1->F+, 3->F- with readout_inputs); inhibitory 6->2, 6->4. Current-based LIF,
 * dv/dt = (E_L - v + I + I_drive)/tau_m, dI/dt = -I/tau_syn, a spike adding its edge weight to I after the
 * edge's delay; the inputs get I_drive = drive * s. The readouts feed nothing back. */
#ifndef AM_XORMOTIF_H
#define AM_XORMOTIF_H

#include <stddef.h>
#include <stdint.h>

#include "am/spiking.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Role indices of the counts and of am_xor_motif_ids. */
enum { AM_XOR_IN1, AM_XOR_LAT2, AM_XOR_IN3, AM_XOR_LAT4, AM_XOR_OUT5, AM_XOR_HUB6, AM_XOR_FPLUS, AM_XOR_FMINUS,
       AM_XOR_ROLES };

typedef struct am_xor_params {
    double tau_in, tau_lat, tau_hub, tau_syn; /* ms: 12, 15 (laterals, XOR and F+), 6 (hub and F-), 8 */
    double t_ref_e, t_ref_i;                  /* ms: 3 (excitatory), 1 (fast inhibitory: hub and F-) */
    double drive;                             /* 25: input drive per unit of s */
    double trial, dt;                         /* ms: 100, 0.1 */
    double w_in_lat, w_in_hub, w_hub_lat, w_lat_xor, w_f; /* 84, 28, -84, 84, 28 (every edge into F+/F-) */
    double delay, delay_hub;                  /* ms: 1, 0.5 (from the hub) */
    double bg_rate, bg_weight;                /* Poisson background on both inputs: 0 Hz, 6 per event */
    int active;                               /* 2: spikes for a role to count as active */
    int readout_inputs;                       /* 0: 2->F+, 4->F-; 1: 1->F+, 3->F- */
} am_xor_params;

/* The parameters above (Marco de Lucas et al.'s circuit as the authors' code pins it down). */
void am_xor_params_default(am_xor_params *p);
#define AM_XOR_MAX_BG_RATE 1e5 /* Hz */
/* AM_EINVAL when a time constant, dt (0, 1], the trial (0, 1e6], active >= 1 or bg_rate [0, AM_XOR_MAX_BG_RATE]
 * is out of range, or a value is not finite. */
int am_xor_params_check(const am_xor_params *p);

/* One trial with signal s1 and reference s3 (0/1, or graded): counts (AM_XOR_ROLES values, out) of every
 * role's spikes. seed drives the background (unused without it). mon (may be NULL) watches the run; the
 * neuron ids of the roles are 0 .. AM_XOR_ROLES-1 in role order. */
int am_xor_trial(const am_xor_params *p, double s1, double s3, uint64_t seed, uint64_t *counts, const am_snn_monitor *mon);

/* The signed error of a trial, rate(F+) - rate(F-) in Hz. */
double am_xor_signed_error(const am_xor_params *p, const uint64_t *counts);
/* The error as a bit: +1 when F+ is active and F- is not, -1 the other way round, else 0. */
int am_xor_signed_bit(const am_xor_params *p, const uint64_t *counts);

#ifdef __cplusplus
}
#endif
#endif
