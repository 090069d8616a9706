# etcd-monitor — build, test, bench, fuzz, install.
# `make demo` and `make check` first make sure the Debian dependencies are present
# (tools/deps.sh installs them as root, or prints the apt-get line and stops).

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := ncursesw libcurl jansson libssh2 yaml-0.1 libmicrohttpd
BUILD   := build

DEPS_STAMP := $(BUILD)/.deps-ok
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
# One include directory per layer (include/<layer>/); tools/check-layers.sh keeps
# each layer to the headers it may use (docs/architecture.md).
INC_DIRS   := $(sort $(wildcard include/*/))
HDRS       := $(wildcard include/*/*.h include/*.h)
ALL_CFLAGS = -std=c11 $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -Iinclude $(INC_DIRS:%/=-I%) $(PKG_CFLAGS) $(CFLAGS)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRCS     := $(sort $(wildcard src/*.c src/*/*.c))
OBJS     := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
# The C library (docs/architecture.md): the layers below the outputs and the UI.
CORE_LAYERS := util parse stats config rules core net collect ssh lib
CORE_OBJS := $(sort $(foreach d,$(CORE_LAYERS),$(patsubst src/%.c,$(BUILD)/obj/%.o,$(wildcard src/$(d)/*.c))))
APP_OBJS  := $(filter-out $(CORE_OBJS) $(BUILD)/obj/main.o,$(OBJS))
LIBEM     := $(BUILD)/libetcdmonitor.a
EM_VERSION := $(shell sed -n 's/^\#define EM_VERSION "\(.*\)".*/\1/p' include/config/config.h)
EXAMPLES  := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
SAN_OBJS := $(LIB_OBJS:$(BUILD)/obj/%=$(BUILD)/san/%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN  := $(filter-out %/test_noalloc,$(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests-san/%))
STUB      := $(BUILD)/http-stub
BENCH     := $(BUILD)/bench-parse
FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/%)
FUZZ_SECONDS ?= 20

# Quiet by default; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

.PHONY: all deps check unit unit-san integration demo bench fuzz install clean examples layers
all: etcd-monitor $(LIBEM) examples

$(DEPS_STAMP): tools/deps.sh
	@sh tools/deps.sh
	@mkdir -p $(BUILD) && touch $@
deps: $(DEPS_STAMP)

etcd-monitor: $(BUILD)/obj/main.o $(APP_OBJS) $(LIBEM)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(LIBEM): $(CORE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# The examples see only the public header (-Iinclude, not the layers).
$(BUILD)/examples/%: examples/%.c include/etcd_monitor.h $(LIBEM)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 $(WARN) $(CFLAGS) -Iinclude -o $@ $< $(LIBEM) $(PKG_LIBS) -lm
examples: $(EXAMPLES)

$(BUILD)/obj/%.o: src/%.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/san/%.o: src/%.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

# Tests link against archives, so each pulls in only the modules it uses.
$(BUILD)/libem.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libem-san.a: $(SAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# test_noalloc counts every allocation made in the process.
WRAP_ALLOC := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
$(BUILD)/tests/test_noalloc: WRAP = $(WRAP_ALLOC)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libem.a
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm $(WRAP)

$(BUILD)/tests-san/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libem-san.a
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $< $(BUILD)/libem-san.a $(PKG_LIBS) $(CMOCKA_LIBS) -lm

$(STUB): tests/stub/http_stub.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/tunnel-probe: tests/lib/tunnel_probe.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

$(BUILD)/promql-parity: tests/lib/promql_parity.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

# LD_PRELOAD allocation counter of tests/integration/test_poll_alloc.sh.
$(BUILD)/alloc-count.so: tests/lib/alloc_count.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $< -ldl

$(BENCH): bench/bench_parse.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

$(BUILD)/bench-ring: bench/bench_ring.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

$(BUILD)/bench-history: bench/bench_history.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

$(BUILD)/bench-serve: bench/bench_serve.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

# The scale bench's comparator: plain libcurl (bench/bench_floor.c); with --read
# extract it also runs the monitor's /metrics scan (libem.a), else none of our code.
$(BUILD)/bench-floor: bench/bench_floor.c $(BUILD)/libem.a | $(DEPS_STAMP)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

# Unit tests: plain, then under ASan+UBSan. Integration tests drive the real binary
# against a real 3-member etcd cluster (tests/lib/cluster.sh).
check: layers unit unit-san integration fuzz-smoke
	@echo "make check: all suites passed"

layers:
	@bash tools/check-layers.sh

unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS)

unit-san: $(UNIT_SAN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run-unit.sh $(UNIT_SAN)

# Three at a time: the tests mostly wait on clusters, durations and timeouts
# (measured: 3m56s for 53 scripts on the 2-core machine, against about 6 min at 2).
INTEGRATION_JOBS ?= 3
integration: etcd-monitor $(STUB) $(BUILD)/bench-floor $(EXAMPLES)
	@INTEGRATION_JOBS=$(INTEGRATION_JOBS) bash tests/run-integration.sh

demo: etcd-monitor
	@bash tests/lib/demo.sh

bench: etcd-monitor $(BENCH) $(BUILD)/http-stub $(BUILD)/bench-serve $(BUILD)/bench-ring \
       $(BUILD)/bench-floor \
       $(BUILD)/bench-history
	@bash bench/run.sh

# libFuzzer targets (clang): fuzz/fuzz_NAME.c with its own list of sources,
# FUZZ_SRCS_NAME, compiled in with the same sanitizers (build/libem.a is built by
# $(CC) and cannot be linked); seeds in tests/data/fuzz-seed/NAME/.
#   make fuzz           each target for FUZZ_SECONDS, new inputs kept in build/corpus/NAME
#   make fuzz-smoke     (make check) fuzz-selftest, then each for FUZZ_SMOKE_SECONDS
#   make fuzz-selftest  fuzz/selftest_fail.c fails on purpose (overflow, UBSan, leak,
#                       hang): each failure must fail the runner (tools/fuzz-selftest.sh)
# Every run goes through tools/fuzz-run.sh: one line per target when it passes; a
# crash, leak, sanitizer report or timeout shows the report, keeps the input in
# build/fuzz_artifacts/ and fails the make (after the other targets have run).
# Replay one: build/fuzz_NAME FILE; then add FILE to tests/data/fuzz-seed/NAME/.
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SEEDS := tests/data/fuzz-seed
FUZZ_NAMES := $(FUZZ_SRCS:fuzz/fuzz_%.c=%)
FUZZ_CFLAGS = -std=c11 $(WARN) -g -O1 -Iinclude $(INC_DIRS:%/=-I%) $(PKG_CFLAGS) \
              -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRCS_prom    := src/parse/prom_parse.c src/parse/prom_label.c src/parse/prom_stream.c src/parse/metrics_extract.c src/util/buf.c
FUZZ_SRCS_promapi := src/parse/promapi.c src/parse/prom_parse.c src/parse/prom_label.c
FUZZ_SRCS_gateway := src/parse/status_json.c src/util/text.c src/net/auth.c src/net/http_multi.c \
                     src/stats/cluster.c src/util/buf.c src/core/loop.c src/util/secmem.c
FUZZ_SRCS_config  := $(wildcard src/config/*.c) src/rules/rules_builtin.c src/util/endpoint.c \
                     src/parse/promapi.c src/parse/prom_parse.c src/parse/prom_label.c
FUZZ_SRCS_theme   := src/ui/theme.c
FUZZ_SRCS_logline := src/parse/logwatch.c
FUZZ_SRCS_bbolt   := src/parse/bbolt.c src/parse/digest.c
FUZZ_SRCS_session := src/out/session_read.c src/out/session_rows.c src/out/csvrow.c src/out/csvfile.c \
                     src/stats/cluster.c src/stats/history.c src/util/format.c src/util/text.c

define FUZZ_RULE
$(BUILD)/fuzz_$(1): fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $$(HDRS) | $$(DEPS_STAMP)
	$$(call say,FUZZ-CC,$$@)
	$$(Q)clang $$(FUZZ_CFLAGS) -o $$@ $$< $$(FUZZ_SRCS_$(1)) $$(PKG_LIBS) -lm
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(n))))

$(BUILD)/fuzz_selftest: fuzz/selftest_fail.c | $(DEPS_STAMP)
	$(call say,FUZZ-CC,$@)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $<

# fuzz-targets: run every target for FUZZ_SECONDS; fails when any one failed.
.PHONY: fuzz-smoke fuzz-selftest fuzz-targets
fuzz-targets: $(FUZZ_BINS)
	@failed=; for n in $(FUZZ_NAMES); do \
	  sh tools/fuzz-run.sh $(BUILD)/fuzz_$$n $(FUZZ_SECONDS) $(FUZZ_SEEDS)/$$n $(FUZZ_CORPUS:%=%/$$n) \
	    || failed="$$failed $$n"; done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed"; exit 1; fi

fuzz: FUZZ_CORPUS = $(BUILD)/corpus
fuzz: fuzz-targets

fuzz-smoke: fuzz-selftest $(FUZZ_BINS)
	@$(MAKE) --no-print-directory fuzz-targets FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-selftest: $(BUILD)/fuzz_selftest
	@sh tools/fuzz-selftest.sh $(BUILD)/fuzz_selftest

install: etcd-monitor $(LIBEM)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/etcd-monitor/themes $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 etcd-monitor $(DESTDIR)$(PREFIX)/bin/etcd-monitor
	install -m 0644 man/etcd-monitor.1 $(DESTDIR)$(PREFIX)/share/man/man1/etcd-monitor.1
	install -m 0644 themes/*.theme $(DESTDIR)$(PREFIX)/share/etcd-monitor/themes/
	install -m 0644 include/etcd_monitor.h $(DESTDIR)$(PREFIX)/include/etcd_monitor.h
	install -m 0644 $(LIBEM) $(DESTDIR)$(PREFIX)/lib/libetcdmonitor.a
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(EM_VERSION)|' tools/etcd-monitor.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/etcd-monitor.pc

clean:
	rm -rf $(BUILD)/obj $(BUILD)/san $(BUILD)/tests $(BUILD)/tests-san $(BUILD)/fuzz_* \
	  $(STUB) $(BENCH) $(LIBEM) $(BUILD)/libem.a $(BUILD)/libem-san.a $(BUILD)/examples etcd-monitor
