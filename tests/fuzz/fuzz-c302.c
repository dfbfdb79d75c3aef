/* c302's connectome: the input split at its first NUL byte into the neuron table (owmeta JSON) and the edge
 * list (Source,Target,Weight,Type); also the whole input as either file beside a valid other one. */
#include <stdio.h>
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

static const char good_json[] = "{\"neuron_info\": {\"AVAL\": [\"u\", [], [], [\"Glutamate\"], \"+\", \"1\"],"
                                " \"DD1\": [\"u\", [], [], [\"GABA\"], \"-\", \"1\"]}}";
static const char good_edges[] = "Source,Target,Weight,Type\nAVAL,DD01,2,chemical\nDD01,AVAL,1,chemical\n";

/* The memory files (fuzz.h) of the JSON neuron table and the CSV edge list. */
enum { JSON = 0, CSV = 1 };

static void try(const char *edges, const char *json)
{
    char err[256];
    size_t st[4];
    am_graph *g = NULL;
    if (am_graph_read_c302(&g, edges, json, NULL, st, err, sizeof err) == AM_OK) {
        uint64_t c;
        am_graph_count(g, AM_MOTIF_XOR, 1, &c);
        am_graph_count(g, AM_MOTIF_XOR_INDUCED, 1, &c);
        am_graph_count(g, AM_MOTIF_SIGNED_XOR, 1, &c);
        am_graph_free(g);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t a = nul ? (size_t)(nul - data) : size;
    const char *json = mem_file(JSON, data, a);
    const char *edges = mem_file(CSV, nul ? nul + 1 : data, nul ? size - a - 1 : 0);
    try(edges, json);
    try(mem_file(CSV, data, size), mem_file(JSON, good_json, sizeof good_json - 1));
    try(mem_file(CSV, good_edges, sizeof good_edges - 1), mem_file(JSON, data, size));
    return 0;
}
