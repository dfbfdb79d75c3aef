/* Polling the cancel hook (am/cancel.h) inside libam. */
#ifndef AM_CANCEL_INTERNAL_H
#define AM_CANCEL_INTERNAL_H

#include "am/cancel.h"
#include "am/error.h"

/* Serial sweeps poll every this many unit updates (and between sweeps). */
#define AM__POLL_UNITS 4096

/* Single-threaded loops call am_cancel_poll(). A parallel region adopts the caller's hook in every thread:
 *     const am_cancel *hook = am_cancel_current();
 *     #pragma omp parallel
 *     { AM__CANCEL_ADOPT(hook); ... am_cancel_poll() ...; AM__CANCEL_LEAVE(); }
 * so that the library calls its threads make poll it too. */
#define AM__CANCEL_ADOPT(h) const am_cancel *am__cancel_outer = am_cancel_swap(h)
#define AM__CANCEL_LEAVE() am_cancel_swap(am__cancel_outer)

/* AM_ECANCELED when hook (a caller's, captured before a parallel region; NULL: none) asks to stop: for loops
 * that poll on worker threads and call nothing that polls. */
static inline int am__cancel_check(const am_cancel *hook)
{
    return hook && hook->poll(hook->ctx) ? AM_ECANCELED : 0;
}

/* For a team whose threads must stop together (they meet at barriers): every thread of the team calls it at
 * the same point; the master (the calling thread) polls, and all get its answer (AM_OK or AM_ECANCELED).
 * shared: an int shared by the team. Two barriers. */
int am__cancel_team(int *shared);

#endif
