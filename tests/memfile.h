/* Test helper: files held in memory. mem_file writes bytes into an anonymous memory file (memfd_create) and
 * returns a path to it, /proc/self/fd/N, that any loader opens like a file on disk. Nothing is ever created
 * in a directory, so nothing is left behind, not even by a process that crashes or is killed. Linux only. */
#ifndef AM_TESTS_MEMFILE_H
#define AM_TESTS_MEMFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MEM_FILE_SLOTS 8

/* Slot 0 .. MEM_FILE_SLOTS-1 holds data (size bytes) from now on; its path (static storage, one per slot).
 * A slot's next call replaces the content; the path stays the same. Aborts if memory files are unavailable. */
static inline const char *mem_file(int slot, const void *data, size_t size)
{
    static int fd[MEM_FILE_SLOTS] = {-1, -1, -1, -1, -1, -1, -1, -1};
    static char path[MEM_FILE_SLOTS][40];
    if (slot < 0 || slot >= MEM_FILE_SLOTS)
        abort();
    if (fd[slot] < 0) {
        fd[slot] = (int)syscall(SYS_memfd_create, "am-test", 1u /* MFD_CLOEXEC */);
        if (fd[slot] < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
    }
    const char *p = data;
    if (ftruncate(fd[slot], 0) != 0)
        abort();
    for (size_t at = 0; at < size;) {
        ssize_t n = pwrite(fd[slot], p + at, size - at, (off_t)at);
        if (n <= 0)
            abort();
        at += (size_t)n;
    }
    return path[slot];
}

#endif
