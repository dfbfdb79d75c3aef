/* libam — Hopfield networks and dense associative memory. The umbrella header. */
#ifndef AM_AM_H
#define AM_AM_H

#include "am/version.h"
#include "am/error.h"
#include "am/io.h"
#include "am/rng.h"
#include "am/patterns.h"
#include "am/blas.h"
#include "am/hopfield.h"
#include "am/dense.h"
#include "am/modern.h"
#include "am/store.h"
#include "am/theory.h"
#include "am/data.h"
#include "am/pca.h"
#include "am/autoencoder.h"
#include "am/encoder.h"
#include "am/fft.h"
#include "am/hrr.h"
#include "am/audio.h"
#include "am/words.h"
#include "am/lexicon.h"
#include "am/cleanup.h"
#include "am/concept.h"
#include "am/spiking.h"
#include "am/graded.h"
#include "am/ltc.h"
#include "am/latent.h"
#include "am/harness.h"

#endif
