/* The experiments' shared option parsing. */
#include <string.h>

#include "am/am.h"
#include "tap.h"

int main(void)
{
    double v[64];
    uint64_t u[8];
    const char *w[4];
    char buf[64];
    is_int(am_parse_range("0.02:0.2:0.01", v, 64), 19, "0.02:0.2:0.01 has 19 points");
    is_near(v[18], 0.2, 1e-12, "last point 0.2");
    is_int(am_parse_range("0.1:0.1:1", v, 64), 1, "single-point range");
    is_int(am_parse_range("0.2:0.1:0.01", v, 64), -1, "reversed range rejected");
    is_int(am_parse_range("0:1:0", v, 64), -1, "zero step rejected");
    is_int(am_parse_range("0:1", v, 64), -1, "missing step rejected");
    is_int(am_parse_range("0:1:0.1x", v, 64), -1, "trailing junk rejected");
    is_int(am_parse_range("0:100:1", v, 64), -1, "too many points rejected");
    is_int(am_parse_u64_list("10,20,300", u, 8), 3, "list of three");
    ok(u[2] == 300, "list values");
    is_int(am_parse_u64_list("10,,20", u, 8), -1, "empty item rejected");
    is_int(am_parse_u64_list("10,-2", u, 8), -1, "negative rejected");
    is_int(am_parse_u64_list("10,", u, 8), -1, "trailing comma rejected");
    is_int(am_parse_words("hebb,storkey", buf, sizeof buf, w, 4), 2, "two words");
    ok(!strcmp(w[1], "storkey"), "second word");
    is_int(am_parse_words("a,b,c,d,e", buf, sizeof buf, w, 4), -1, "too many words rejected");
    is_int(am_parse_words("", buf, sizeof buf, w, 4), -1, "empty rejected");
    return done_testing();
}
