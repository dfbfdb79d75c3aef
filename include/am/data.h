/* libam — datasets for the front-ends: IDX files (MNIST, Fashion-MNIST; gzip or plain) and a dataset view
 * with normalisation, subsets and shuffled minibatches.
 *
 * IDX: big-endian header (0, 0, type, ndim, ndim u32 sizes) followed by the values. Types: 0x08 uint8,
 * 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. A file that is not IDX, ends early, holds
 * more than its header says, or whose gzip stream is damaged is an error (AM_EFORMAT, AM_ETRUNC,
 * AM_ECHECKSUM), never a crash; memory grows only as data actually arrives. */
#ifndef AM_DATA_H
#define AM_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { AM_IDX_U8 = 0x08, AM_IDX_I8 = 0x09, AM_IDX_I16 = 0x0B, AM_IDX_I32 = 0x0C, AM_IDX_F32 = 0x0D, AM_IDX_F64 = 0x0E };
#define AM_IDX_MAX_DIMS 8

typedef struct am_idx {
    int type;                       /* AM_IDX_* */
    int ndim;                       /* 1 .. AM_IDX_MAX_DIMS */
    size_t dims[AM_IDX_MAX_DIMS];   /* dims[0] = number of items */
    size_t count;                   /* product of dims */
    void *data;                     /* count values of the type, native byte order; owned */
} am_idx;

/* Read an IDX file, gzip-compressed or not (decided by its content). */
int am_idx_read(am_idx **out, const char *path);
void am_idx_free(am_idx *idx);
/* Value i converted to double. */
double am_idx_value(const am_idx *idx, size_t i);
/* Write count = prod(dims) values of `type` (native order, caller-owned) as IDX; gzip-compressed when the
 * path ends in ".gz". */
int am_idx_write(const char *path, int type, int ndim, const size_t *dims, const void *data);

/* Labels are integers in [0, AM_MAX_CLASSES). */
#define AM_MAX_CLASSES 65536

/* A dataset: count items of dim features (float, row-major, owned), optional integer labels. Images keep
 * their shape (rows x cols = dim); other data has rows = 1, cols = dim. */
typedef struct am_dataset {
    size_t count, dim, rows, cols;
    float *x;          /* count x dim */
    int *labels;       /* count entries in [0, classes), or NULL */
    int classes;       /* 1 + largest label, 0 without labels */
} am_dataset;

/* Load items from an IDX file (integer values are multiplied by `scale`, e.g. 1/255 for uint8 pixels in
 * [0, 1]; float32 and float64 values, such as spectrogram features, are taken as stored) and labels from a second IDX file (NULL: none). The label count must match (AM_ESIZE); labels must
 * be integers in [0, AM_MAX_CLASSES) (AM_ERANGE, or AM_EFORMAT for a fraction) and values finite
 * (AM_ENOTFINITE). Missing or unreadable files keep their errno (am_status_errno). */
int am_dataset_load(am_dataset **out, const char *images, const char *labels, double scale);
/* A dataset of count x dim zeros (labels allocated when with_labels), to fill by hand. */
int am_dataset_create(am_dataset **out, size_t count, size_t dim, int with_labels);
void am_dataset_free(am_dataset *ds);
/* Copy of the items idx[0..count-1] (in that order). */
int am_dataset_take(am_dataset **out, const am_dataset *ds, const uint32_t *idx, size_t count);
/* Copy of items first .. first+count-1. */
int am_dataset_slice(am_dataset **out, const am_dataset *ds, size_t first, size_t count);

/* Per-feature mean and standard deviation (dim entries each, caller-owned). */
int am_dataset_stats(const am_dataset *ds, float *mean, float *sd);
/* x <- (x - mean) / sd per feature; features with sd <= 0 are only centred. */
int am_dataset_normalize(am_dataset *ds, const float *mean, const float *sd);

/* Fashion-MNIST (Xiao, Rasul, Vollgraf 2017), as shipped by Debian's dataset-fashion-mnist. */
#define AM_FASHION_DIR "/usr/share/datasets/fashion-mnist"
/* Name of class c (0..9), e.g. "T-shirt/top"; "?" out of range. */
const char *am_fashion_class_name(int c);
/* Load the "train" (60000) or "test" (10000) split from dir (NULL: AM_FASHION_DIR), pixels scaled to
 * [0, 1]. A missing file is AM_ERRNO(ENOENT). */
int am_fashion_load(am_dataset **out, const char *dir, const char *split);

/* Latent vectors as TSV, as `autoencoder encode` writes them: '#' lines, the header row
 * "index<TAB>label<TAB>z1 .. zK", then one row per vector (an index, a label: -1 or a class, K finite
 * numbers). *k = 0 on entry takes K from the header, else the header must have *k columns (at most
 * AM_MAX_LATENT). On success *z (n x K) and *labels (n) are malloc'd for the caller to free and *k, *n set.
 * A malformed file is AM_EFORMAT with the line and the reason in err (errsize bytes; may be NULL). */
#define AM_MAX_LATENT ((size_t)1 << 20)
int am_latents_read(const char *path, size_t *k, float **z, int **labels, size_t *n, char *err, size_t errsize);

/* Minibatches over a permutation of the items. */
typedef struct am_batches {
    uint32_t *order;   /* count entries, owned */
    size_t count, size, pos;
} am_batches;

int am_batches_init(am_batches *b, size_t count, size_t size);
void am_batches_free(am_batches *b);
/* Start a pass in a new random order (rng NULL: the identity order). */
void am_batches_shuffle(am_batches *b, am_rng *rng);
/* Copy the next batch's items into x (size x ds->dim, caller-owned) and their labels into labels (may be
 * NULL) and dataset indices into idx (may be NULL). Returns the rows copied; 0 at the end of the pass.
 * The last batch may be short. */
size_t am_batches_next(am_batches *b, const am_dataset *ds, float *x, int *labels, uint32_t *idx);

#ifdef __cplusplus
}
#endif
#endif
