/* libam — the BLAS seam: which OpenBLAS kernels run, and how many threads they use.
 *
 * libam loads OpenBLAS when it first needs it (a program that links a BLAS of its own keeps that one), so
 * a run that never calls BLAS does not pay for loading it. Debian's OpenBLAS 0.3.21 does not recognise some
 * recent CPUs and falls back to its oldest x86-64 kernels ("Prescott"), running sgemm 5-6x slower. The
 * kernel set is chosen when the library loads, from the environment variable OPENBLAS_CORETYPE;
 * am_blas_ensure_fast asks for the CPU's best set. libam's programs call it for the user; library users can
 * call it first thing in main(). */
#ifndef AM_BLAS_H
#define AM_BLAS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Name of the kernel set OpenBLAS chose ("SkylakeX", "Haswell", "Prescott", ...); loads OpenBLAS. */
const char *am_blas_corename(void);
/* For headers and fingerprints, without loading OpenBLAS: the kernel set in use once it is loaded, else the
 * OPENBLAS_CORETYPE that will choose it (a plain word; anything else is "invalid"), else "auto". Static
 * storage or the environment's own string; do not free. */
const char *am_blas_kernels(void);

/* The OPENBLAS_CORETYPE this CPU should use if `detected` is weaker than what the CPU supports, or NULL
 * when `detected` already uses the CPU's widest vector units (or the CPU is unknown to this check). */
const char *am_blas_better_coretype(const char *detected);

/* Unless OPENBLAS_CORETYPE or AM_NO_REEXEC is set in the environment: when libam loads OpenBLAS and it picks
 * kernels weaker than the CPU supports, set OPENBLAS_CORETYPE and load it again. A BLAS linked into the
 * program has chosen already: then, if its kernels are weak, set OPENBLAS_CORETYPE and re-execute the
 * running program (/proc/self/exe) with the same argv. Returns unless it restarted the program. */
void am_blas_ensure_fast(char **argv);

/* Threads OpenBLAS may use inside one call (1 while libam runs its own threads over trials). Before OpenBLAS
 * is loaded the count is kept for the load, which sets 1 unless told otherwise. */
void am_blas_set_threads(int n);
int am_blas_get_threads(void);

#ifdef __cplusplus
}
#endif
#endif
