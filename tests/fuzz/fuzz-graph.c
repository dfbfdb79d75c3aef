/* The generic signed edge list (source,target,weight,sign) and node sign tables: the input as an edge list
 * (and, when it reads, its motifs counted and listed and the graph written back), and the same bytes as a
 * sign table over a fixed graph. */
#include <stdio.h>
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

static int stop_after(const uint32_t *v, void *ctx)
{
    (void)v;
    return ++*(int *)ctx >= 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    am_graph *g = NULL;
    const char *p = fuzz_file(data, size);
    if (am_graph_read_csv(&g, p, NULL, err, sizeof err) == AM_OK) {
        uint64_t c;
        if (am_graph_edges(g, 0) < 5000)
            for (int m = 0; m < AM_MOTIFS; m++) {
                am_graph_count(g, (am_motif)m, 1, &c);
                int seen = 0;
                am_graph_each(g, (am_motif)m, stop_after, &seen);
            }
        FILE *f = fopen("/dev/null", "w");
        if (f) {
            am_graph_write_csv(g, f);
            fclose(f);
        }
        am_graph_free(g);
    }
    /* the same bytes as a sign table over a fixed graph */
    static const char fixed[] = "A,B,1,+\nB,C,2,-\nC,A,1,E\n";
    if (am_graph_read_csv(&g, mem_file(1, fixed, sizeof fixed - 1), p, err, sizeof err) == AM_OK)
        am_graph_free(g);
    return 0;
}
