/* The thread's cancel hook (am/cancel.h). */
#include "am/cancel.h"

#include "am/error.h"
#include "cancel_internal.h"

static _Thread_local const am_cancel *hook;

const am_cancel *am_cancel_swap(const am_cancel *h)
{
    const am_cancel *old = hook;
    hook = h;
    return old;
}

const am_cancel *am_cancel_current(void)
{
    return hook;
}

int am_cancel_poll(void)
{
    return hook && hook->poll(hook->ctx) ? AM_ECANCELED : AM_OK;
}

int am__cancel_team(int *shared)
{
#pragma omp master
    *shared = am_cancel_poll();
#pragma omp barrier
    int rc = *shared;
#pragma omp barrier
    return rc;
}
