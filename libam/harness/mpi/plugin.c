/* libam-mpi.so: the MPI calls the harness needs, behind the table of ../mpi.h. Built with OpenMPI's flags
 * (pkg-config ompi-c) and loaded by the programs only when mpirun starts them. */
#include <limits.h>
#include <mpi.h>

#include "../mpi.h"

static int init(int *argc, char ***argv, int *rank, int *size)
{
    int provided;
    /* Threads run jobs inside each rank, but only the main thread calls MPI. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

static void finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

static void abort_all(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
}

static int bcast(void *buf, size_t bytes, int root)
{
    if (bytes > INT_MAX)
        return -1;
    return MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

static int gather(const void *send, void *recv, size_t bytes_each, int root)
{
    if (bytes_each > INT_MAX)
        return -1;
    return MPI_Gather(send, (int)bytes_each, MPI_BYTE, recv, (int)bytes_each, MPI_BYTE, root, MPI_COMM_WORLD) ==
                   MPI_SUCCESS
               ? 0
               : -1;
}

static const am__mpi table = {AM__MPI_ABI, init, finalize, abort_all, bcast, gather};

const am__mpi *am__mpi_plugin(void)
{
    return &table;
}
