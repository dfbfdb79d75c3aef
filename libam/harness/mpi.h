/* Internal: the MPI seam. The programs do not link MPI: when mpirun starts them, the harness loads the
 * plugin libam-mpi.so (built from mpi/plugin.c against Debian's OpenMPI) and calls MPI through this table,
 * so a program run without mpirun starts no MPI runtime at all. */
#ifndef AM_HARNESS_MPI_H
#define AM_HARNESS_MPI_H

#include <stddef.h>

#define AM__MPI_ABI 1

typedef struct am__mpi {
    int abi;                                                     /* AM__MPI_ABI */
    int (*init)(int *argc, char ***argv, int *rank, int *size); /* 0 on success */
    void (*finalize)(void);
    void (*abort)(int code);
    /* Collectives over MPI_COMM_WORLD; bytes < 2^31 each. 0 on success. */
    int (*bcast)(void *buf, size_t bytes, int root);
    int (*gather)(const void *send, void *recv, size_t bytes_each, int root);
} am__mpi;

/* The plugin's one exported symbol. */
const am__mpi *am__mpi_plugin(void);

#endif
