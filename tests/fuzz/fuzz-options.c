/* The option-value parsers: the input is cut at newlines into values for each of them. */
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char *field[6] = {s, "", "", "", "", ""};
    for (int k = 1, i = 0; k < 6; k++) {
        char *nl = strchr(field[k - 1], '\n');
        if (!nl)
            break;
        *nl = 0;
        field[k] = nl + 1;
        i++;
    }
    double d[64];
    uint64_t u[64];
    const char *w[16];
    char buf[256];
    unsigned long r, c;
    static const char *const kinds[] = {"noise", "occlude", "class", NULL};
    int kind[16];
    (void)am_parse_range(field[0], d, 64);
    (void)am_parse_u64_list(field[0], u, 64);
    (void)am_parse_double_list(field[0], 0.0, 1e30, d, 64);
    (void)am_parse_words(field[0], buf, sizeof buf, w, 16);
    (void)am_parse_shape(field[0], &r, &c);
    (void)am_parse_kv_list(field[0], kinds, kind, d, 16);
    am_ae_config cfg;
    if (am_ae_config_parse(&cfg, field[0], field[1][0] ? field[1] : "relu", field[2][0] ? field[2] : NULL,
                           field[3][0] ? field[3] : "sigmoid", field[4][0] ? field[4] : "mse") == AM_OK) {
        char desc[512];
        am_ae_config_describe(&cfg, desc, sizeof desc);
    }
    am_rule rl;
    am_dense_f f;
    am_dynamics dy;
    am_code_kind ck;
    /* Store parameters from text: field 1 names a type, 2 a parameter, 3 its value. */
    am_store_config sc;
    if (am_store_config_init(&sc, field[1], 64) == AM_OK) {
        char why[128], desc[256];
        if (am_store_config_set(&sc, field[2], field[3], why, sizeof why) == AM_OK &&
            am_store_config_check(&sc, why, sizeof why) == AM_OK) {
            am_store_config_describe(&sc, desc, sizeof desc);
            am_store_config_label(&sc, desc, sizeof desc);
        }
    }
    (void)am_rule_parse(field[1], &rl);
    (void)am_dense_f_parse(field[1], &f);
    (void)am_dynamics_parse(field[1], &dy);
    (void)am_code_kind_parse(field[1], &ck);
    free(s);
    return 0;
}
