/* c302's connectome: the input split at its first NUL byte into the neuron table (owmeta JSON) and the edge
 * list (Source,Target,Weight,Type); also the whole input as either file beside a valid other one. */
#include <stdio.h>
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

static const char good_json[] = "{\"neuron_info\": {\"AVAL\": [\"u\", [], [], [\"Glutamate\"], \"+\", \"1\"],"
                                " \"DD1\": [\"u\", [], [], [\"GABA\"], \"-\", \"1\"]}}";
static const char good_edges[] = "Source,Target,Weight,Type\nAVAL,DD01,2,chemical\nDD01,AVAL,1,chemical\n";

static const char *put(const char *sfx, const void *d, size_t n)
{
    static char path[2][256];
    static int k;
    char *p = path[k++ & 1];
    const char *dir = getenv("TMPDIR");
    snprintf(p, 256, "%s/am-fuzz-%d%s", dir && *dir ? dir : "/tmp", (int)getpid(), sfx);
    FILE *f = fopen(p, "wb");
    if (!f)
        abort();
    if (n && fwrite(d, 1, n, f) != n)
        abort();
    fclose(f);
    return p;
}

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
    const char *json = put(".json", data, a);
    const char *edges = put(".csv", nul ? nul + 1 : data, nul ? size - a - 1 : 0);
    try(edges, json);
    try(put(".csv", data, size), put(".json", good_json, sizeof good_json - 1));
    try(put(".csv", good_edges, sizeof good_edges - 1), put(".json", data, size));
    return 0;
}
