/* Label names (concepts --names, am_labels_read), then each name given to a concept, as concepts learn does. */
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char **names = NULL, err[512];
    size_t n = 0;
    if (am_labels_read(fuzz_file(data, size), 64, &names, &n, err, sizeof err) != AM_OK)
        return 0;
    am_modality mod = {"m", 2, 1.0, "fuzz"};
    am_concepts *cm = NULL;
    if (am_concepts_create(&cm, &mod, 1, NULL) == AM_OK) {
        float x[2] = {0, 0};
        for (size_t k = 0; k < n; k++) {
            x[0] = (float)k;
            size_t c;
            if (am_concepts_observe(cm, (const float *[8]){x}, names[k], &c, NULL) != AM_OK)
                abort(); /* a name the reader accepted is a label the memory takes */
        }
        am_concepts_free(cm);
    }
    am_labels_free(names, n);
    return 0;
}
