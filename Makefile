# libam — build, test, install. `make help` lists the targets.

VERSION   := 0.1.0
SOMAJOR   := 0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
CFLAGS    ?= -O3 -g
PKGS      := openblas zlib fftw3f lmdb
# OpenBLAS: headers at build time; the library is loaded on first use (libam/core/blas_internal.h); programs link it only if they call it.
BLAS_SONAME := $(or $(shell objdump -p $$(pkg-config --variable=libdir openblas 2>/dev/null)/libopenblas.so 2>/dev/null | awk '/SONAME/ { print $$2 }'),libopenblas.so.0)
SANITIZE  ?=
comma     := ,

# Sanitizer builds live beside the normal one so both can exist at once.
ifeq ($(SANITIZE),)
BUILD     := build
BIN       := bin
else
BUILD     := build/san-$(subst $(comma),-,$(SANITIZE))
BIN       := $(BUILD)/bin
# GCC's `undefined` set leaves out float-to-int overflow; it is a bug here, so it is checked too.
SANFLAGS  := -fsanitize=$(SANITIZE)$(if $(findstring undefined,$(SANITIZE)),$(comma)float-cast-overflow) \
             -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# OpenMPI (optional at build time): the programs load libam-mpi.so only when mpirun starts them.
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null)
MPI_PLUGIN := $(if $(MPI_LIBS),$(BUILD)/libam-mpi.so)

# The Python module (python/am): built for a Python 3 whose headers (Python.h) are found; numpy is optional at
# run time (Debian: python3-dev). PYTHON=... picks another interpreter (its module sits beside the others in
# build/python/am, named by the interpreter's EXT_SUFFIX; libam is not rebuilt); PYTHON= (empty) skips the module.
# `pip install .` builds it for the interpreter running pip (pyproject.toml, tools/pybuild).
PYTHON    ?= $(shell for p in /usr/bin/python3 python3; do $$p -c 'import sysconfig, os; \
               assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")' 2>/dev/null && { command -v $$p; break; }; done)
# One interpreter start for everything the module needs to know: EXT_SUFFIX, X.Y, Python.h there?, its directory,
# CPython 3.9 or newer? (written so that Python 2 prints the same words: its print is a statement).
PY_INFO   := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys, sysconfig, os; i = sysconfig.get_paths()["include"]; \
               sys.stdout.write(" ".join([str(sysconfig.get_config_var("EXT_SUFFIX")), "%d.%d" % sys.version_info[:2], \
                     "ok" if os.path.exists(i + "/Python.h") else "no", "-I" + i, \
                     "new" if sys.version_info >= (3, 9) else "old"]) + "\n")' 2>/dev/null))
PY_EXT    := $(word 1,$(PY_INFO))
PY_VER    := $(word 2,$(PY_INFO))
PY_OK     := $(filter ok,$(word 3,$(PY_INFO)))
PY_NEW    := $(filter new,$(word 5,$(PY_INFO)))
PY_CFLAGS := $(if $(PY_OK),$(word 4,$(PY_INFO)))
PY_FILES  := $(wildcard python/am/*.py)
PY_SRC    := $(wildcard python/am/*.c)
# One object directory per interpreter ABI (the EXT_SUFFIX without .so): each its own Python.h.
PY_ABI    := $(basename $(PY_EXT:.%=%))
PY_OBJ    := $(if $(PY_EXT),$(PY_SRC:python/am/%.c=$(BUILD)/python/obj/$(PY_ABI)/%.o))
PY_MOD    := $(if $(PY_EXT),$(BUILD)/python/am/_am$(PY_EXT) $(PY_FILES:python/%=$(BUILD)/python/%))
# Where `make install` puts the module: a directory Debian's python3 searches for this PREFIX.
PYTHON_SITE ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VER)/dist-packages)

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
AM_CPPFLAGS := -Iinclude -I$(BUILD)/gen -D_DEFAULT_SOURCE -DAM_BLAS_SONAME='"$(BLAS_SONAME)"' $(PKG_CFLAGS)
AM_CFLAGS  := -std=c11 -Wall -Wextra -Wno-missing-field-initializers -fPIC -fopenmp -fno-math-errno -ffp-contract=off -MMD -MP $(SANFLAGS)
LDLIBS     := -Wl,--as-needed $(PKG_LIBS) -fopenmp -lm $(SANFLAGS)

LIB_SRC  := $(wildcard libam/*/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
EXP_SRC  := $(wildcard experiments/*.c)
EXP_BIN  := $(EXP_SRC:experiments/%.c=$(BIN)/%)
TEST_SRC := $(wildcard tests/t-*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_RUN  := $(FUZZ_NAMES:%=$(BUILD)/fuzz/run-%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
HEADERS  := $(wildcard include/am/*.h)

STATIC := $(BUILD)/libam.a
SHARED := $(BUILD)/libam.so.$(VERSION)

.PHONY: all python print-version lib check test bench plots demo deps install uninstall clean help papers exercises fuzz FORCE
.DEFAULT_GOAL := all
.SECONDARY:

all: lib $(EXP_BIN) $(MPI_PLUGIN) $(or $(PY_MOD),$(if $(PYTHON),check-python))
python: $(or $(PY_MOD),check-python)
lib: $(STATIC) $(SHARED)

help:
	@echo "make            build libam.a, libam.so and bin/*"
	@echo "make python     only the Python module, for PYTHON=$(PYTHON) (pip install . builds it for any interpreter)"
	@echo "make check      build and run the TAP test suite (prove)"
	@echo "make demo       install missing packages (as root), build, run the capacity experiment, plot it"
	@echo "make plots      regenerate every figure from its TSV (runs the experiments that are missing)"
	@echo "make papers     rerun every reproduction in papers/ and redraw its figures"
	@echo "make exercises  run the teaching exercises (Python) and redraw exercises/figures"
	@echo "make bench      speed benchmarks, beside the numpy peers when ../shared/bench is present; recorded in bench/results.tsv"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=  installs library, headers, am.pc, the am command (bin/am; the programs in libexec/am), plots/*.gp (share/libam/plots) and data/tunes/*.abc (share/libam/tunes)"
	@echo "make deps       install the Debian packages libam needs (root), or print the apt-get line"
	@echo "make SANITIZE=address,undefined check   the test suite under sanitizers"
	@echo "make fuzz SECONDS=60   every libFuzzer target (clang) for SECONDS each, seeded from library files"
	@echo "make fuzz TARGETS=\"wav idx\"   only the targets named"

# The commit the build came from, regenerated only when it changes so nothing rebuilds needlessly.
$(BUILD)/gen/am_commit.h: FORCE
	@mkdir -p $(@D)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 if [ "$$c" != unknown ] && [ -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then c="$$c-dirty"; fi; \
	 printf '#define AM_GIT_COMMIT "%s"\n' "$$c" > $@.tmp; \
	 if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

$(BUILD)/libam/core/version.o: $(BUILD)/gen/am_commit.h

# Objects also rebuild when the compile command changes (another compiler, other flags).
# (The directory comes first: make expands the whole recipe, $(file) included, before running its lines.)
$(BUILD)/gen/flags: FORCE | $(BUILD)/gen
	$(file >$@.tmp,$(CC) $(AM_CPPFLAGS) $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS))
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/gen:
	@mkdir -p $@

$(BUILD)/%.o: %.c $(BUILD)/gen/flags | check-pkgs
	@mkdir -p $(@D)
	$(CC) $(AM_CPPFLAGS) $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libam.so.$(SOMAJOR) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	ln -sf libam.so.$(VERSION) $(BUILD)/libam.so.$(SOMAJOR)
	ln -sf libam.so.$(SOMAJOR) $(BUILD)/libam.so

$(BUILD)/libam-mpi.so: libam/harness/mpi/plugin.c libam/harness/mpi.h
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -std=c11 -Wall -Wextra $(MPI_CFLAGS) $(CFLAGS) -o $@ $< $(MPI_LIBS)

# The extension: one object per layer (python/am/*.c over python/am/ext.h), libam.a linked in (its objects are
# position-independent): one self-contained file.
$(BUILD)/python/am/_am$(PY_EXT): $(PY_OBJ) $(STATIC)
	@mkdir -p $(@D)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,--exclude-libs,ALL -o $@ $(PY_OBJ) $(STATIC) $(LDLIBS)

$(PY_OBJ): $(BUILD)/python/obj/$(PY_ABI)/%.o: python/am/%.c python/am/ext.h $(BUILD)/gen/flags | check-python
	@mkdir -p $(@D)
	$(CC) $(AM_CPPFLAGS) $(PY_CFLAGS) $(CPPFLAGS) $(AM_CFLAGS) -fvisibility=hidden $(CFLAGS) -c $< -o $@

# The version, for the Python package's build backend (tools/pybuild).
print-version:
	@echo $(VERSION)

# Fail early with the fix when PYTHON= names an interpreter that does not run or has no headers.
.PHONY: check-python
check-python:
	@test -n "$(PY_EXT)" || { echo "libam: PYTHON=$(PYTHON) does not run (give an interpreter's path, or PYTHON= to skip the module)"; exit 1; }
	@test -n "$(PY_NEW)" || { echo "libam: PYTHON=$(PYTHON) is Python $(PY_VER): the module needs CPython 3.9 or newer"; exit 1; }
	@test -n "$(PY_OK)" || { echo "libam: $(PYTHON) has no Python.h (Debian: apt-get install python$(PY_VER)-dev; pyenv and conda interpreters include it)"; exit 1; }

$(BUILD)/python/am/%.py: python/am/%.py
	@mkdir -p $(@D)
	cp $< $@

$(BIN)/%: $(BUILD)/experiments/%.o $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(STATIC)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(STATIC)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

# Programs, tests and benchmarks also see the program harness (libam/harness/harness.h), which is not API.
# private: not inherited by the prerequisites, or $(BUILD)/gen/flags would be written with these flags whenever a
# test, program or benchmark reached it first (`make build/tests/t-x`, `make bin/x`) and without them on the
# next `make all`: every object recompiled each time.
$(BUILD)/tests/%.o $(BUILD)/experiments/%.o $(BUILD)/bench/%.o: private AM_CPPFLAGS += -Itests -Ilibam

# The fuzz targets as plain programs that replay their seeds and regression inputs in `make check`.
$(BUILD)/fuzz/run-%: tests/fuzz/fuzz-%.c tests/fuzz/driver.c tests/fuzz/fuzz.h tests/memfile.h $(STATIC) $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(AM_CPPFLAGS) -Ilibam $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) -o $@ tests/fuzz/fuzz-$*.c tests/fuzz/driver.c $(STATIC) $(LDLIBS)

$(BUILD)/fuzz/seeds: tests/fuzz/seeds.c $(STATIC) $(BUILD)/gen/flags
	@mkdir -p $(@D)
	$(CC) $(AM_CPPFLAGS) $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

# Fail early with the fix, not with a missing header.
.PHONY: check-pkgs
check-pkgs:
	@pkg-config --exists $(PKGS) || { m=; for p in $(PKGS); do pkg-config --exists $$p || m="$$m $$p"; done; \
	  echo "libam: missing development packages (pkg-config finds no$$m); run 'make deps' (as root) or:"; \
	  tools/install-deps --print; exit 1; }

# The suite runs CHECK_JOBS test files at a time (default 2: the two longest scripts take half the time side by
# side), the longest first; CHECK_JOBS=1 runs them one after another. PROVE_FLAGS adds prove options (--timer).
# tests/t-bench.sh runs make bench's W10 section on small data: it needs bench-cnn.
CHECK_JOBS ?= 2
SCRIPT_TESTS = tests/t-programs.sh tests/t-melody.sh tests/t-fuzz.sh tests/t-python.sh tests/t-pip.sh tests/t-papers.sh \
               tests/t-bench-table.sh tests/t-bench.sh
SLOW_TESTS = tests/t-programs.sh tests/t-python.sh tests/t-pip.sh
check: all $(TEST_BIN) $(FUZZ_RUN) $(BUILD)/fuzz/seeds $(BUILD)/bench/bench-cnn
	AM_BIN=$(abspath $(BIN)) AM_BUILD=$(abspath $(BUILD)) AM_SANFLAGS="$(SANFLAGS)" AM_PYTHON="$(PYTHON)" AM_SERIAL_MS=0 \
	  prove -j$(CHECK_JOBS) $(PROVE_FLAGS) -f $(SLOW_TESTS) $(TEST_BIN) $(filter-out $(SLOW_TESTS),$(SCRIPT_TESTS))

# libFuzzer (clang): every target (or those named in TARGETS) for SECONDS (default 60) each, seeded from files
# the library writes and the regression inputs in tests/fuzz/regress; crashes are kept in
# build/fuzz-clang/crash-<target>-*. A target that leaves a temporary file behind fails too.
SECONDS ?= 60
TARGETS ?=
fuzz:
	tools/fuzz $(SECONDS) $(TARGETS)

test: check

# Twice: with this environment's OPENBLAS_CORETYPE (if any) and with OpenBLAS choosing for itself; each run is
# appended to bench/results.tsv (AM_BENCH_RESULTS), and README.md's speed table is redrawn from it.
QUICK ?= 0
bench: all $(BENCH_BIN)
	AM_BIN=$(abspath $(BIN)) tools/bench $(abspath $(BUILD))/bench $(QUICK)
	@if [ -n "$$OPENBLAS_CORETYPE" ]; then env -u OPENBLAS_CORETYPE AM_BIN=$(abspath $(BIN)) tools/bench $(abspath $(BUILD))/bench $(QUICK); fi
	tools/bench-table --update README.md

deps:
	tools/install-deps

# The capacity figure first: a new user sees the library work end to end.
demo:
	tools/install-deps
	$(MAKE) all
	@mkdir -p results
	$(BIN)/capacity --rule hebb,storkey,pinv --N 500 --alpha 0.02:0.9:0.02 --trials 5 --cues 100 --out results/capacity.tsv
	$(BIN)/theory --N 500 --quiet --out results/theory.tsv
	gnuplot -e "in='results/capacity.tsv'; out='results/capacity'; theory='results/theory.tsv'" plots/capacity.gp
	@echo "Figure: results/capacity.png and results/capacity.svg (data: results/capacity.tsv)"

plots: all
	tools/make-plots

papers: all
	tools/run-papers

# The teaching exercises (exercises/*.py, Python module): run each, redraw exercises/figures, refresh notebooks.
exercises: all
	@test -n "$(PY_MOD)" || { echo "make exercises needs the Python module: tools/install-deps (python3-dev python3-numpy)"; exit 1; }
	$(PYTHON) tools/py2ipynb exercises/[0-9]*.py
	cd exercises && for f in [0-9]*.py; do echo "== $$f"; PYTHONPATH=$(abspath $(BUILD))/python $(PYTHON) $$f || exit 1; done

# Rewritten whenever its text changes (another PREFIX on a second `make install`), else left alone.
$(BUILD)/am.pc: FORCE | $(BUILD)/gen
	@printf 'prefix=%s\nexec_prefix=$${prefix}\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: am\nDescription: Hopfield networks and dense associative memory\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -lam\nLibs.private: -fopenmp -lm\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(VERSION)' '$(PKGS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# The programs go to PREFIX/libexec/am, behind one command PREFIX/bin/am (`am capacity ...`, as git does):
# no generic names such as `theory` or `capacity` on the PATH.
install: lib $(EXP_BIN) $(BUILD)/am.pc $(PY_MOD)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/am $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libam.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libam.so.$(SOMAJOR)
	ln -sf libam.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libam.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/am/
	install -m 644 $(BUILD)/am.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/am.pc
	install -d $(DESTDIR)$(PREFIX)/libexec/am
	install -m 755 $(BIN)/am $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(filter-out $(BIN)/am,$(EXP_BIN)) $(DESTDIR)$(PREFIX)/libexec/am/
	install -d $(DESTDIR)$(PREFIX)/share/libam/plots
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/libam/plots/
	install -d $(DESTDIR)$(PREFIX)/share/libam/tunes
	install -m 644 data/tunes/*.abc $(DESTDIR)$(PREFIX)/share/libam/tunes/
	$(if $(MPI_PLUGIN),install -m 755 $(MPI_PLUGIN) $(DESTDIR)$(PREFIX)/lib/)
	$(if $(PY_MOD),install -d $(DESTDIR)$(PYTHON_SITE)/am && install -m 644 $(PY_MOD) $(DESTDIR)$(PYTHON_SITE)/am/)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libam.a $(DESTDIR)$(PREFIX)/lib/libam.so* $(DESTDIR)$(PREFIX)/lib/libam-mpi.so \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/am.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/am
	rm -f $(DESTDIR)$(PREFIX)/bin/am
	rm -rf $(DESTDIR)$(PREFIX)/libexec/am
	rm -rf $(DESTDIR)$(PREFIX)/share/libam
	$(if $(PYTHON_SITE),rm -rf $(DESTDIR)$(PYTHON_SITE)/am)

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(PY_OBJ:.o=.d) $(EXP_SRC:experiments/%.c=$(BUILD)/experiments/%.d) $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.d) $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%.d)
