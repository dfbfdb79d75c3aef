/* libam — the BLAS seam: which OpenBLAS kernels run, and how many threads they use.
 *
 * Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to its oldest x86-64
 * kernels ("Prescott"), running sgemm 5-6x slower. The kernel set is chosen when the library loads,
 * from the environment variable OPENBLAS_CORETYPE, so the only reliable fix is to set that variable and
 * restart the program. libam's programs do this for the user (am_blas_ensure_fast); library users can
 * call it first thing in main(). */
#ifndef AM_BLAS_H
#define AM_BLAS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Name of the kernel set OpenBLAS chose ("SkylakeX", "Haswell", "Prescott", ...). */
const char *am_blas_corename(void);

/* The OPENBLAS_CORETYPE this CPU should use if `detected` is weaker than what the CPU supports, or NULL
 * when `detected` already uses the CPU's widest vector units (or the CPU is unknown to this check). */
const char *am_blas_better_coretype(const char *detected);

/* If OpenBLAS picked kernels weaker than the CPU supports and neither OPENBLAS_CORETYPE nor
 * AM_NO_REEXEC is set in the environment, set OPENBLAS_CORETYPE and re-execute the running program
 * (/proc/self/exe) with the same argv. Returns only when no restart was needed or it failed. */
void am_blas_ensure_fast(char **argv);

/* Threads OpenBLAS may use inside one call (1 while libam runs its own threads over trials). */
void am_blas_set_threads(int n);
int am_blas_get_threads(void);

#ifdef __cplusplus
}
#endif
#endif
