/* Internal to the encoders: WordNet over streams (am/words.h), so that the fuzz targets read it from memory. */
#ifndef AM_ENCODERS_INTERNAL_H
#define AM_ENCODERS_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "am/words.h"

/* A WordNet on open streams (both non-NULL and seekable: files, fmemopen): index.noun and data.noun, named in
 * messages by index_path and data_path (copied). Takes both streams over: they are closed by
 * am_wordnet_close, or here on failure. err (errsize bytes, may be NULL): the reason of a failure. */
int am__wordnet_from_streams(am_wordnet **out, FILE *index, const char *index_path, FILE *data, const char *data_path,
                             char *err, size_t errsize);

#endif
