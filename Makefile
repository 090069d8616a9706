# etcd-monitor — build, test, bench, fuzz, install.
# `make demo` and `make check` first make sure the Debian dependencies are present
# (tools/deps.sh installs them as root, or prints the apt-get line and stops).

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := ncursesw libcurl jansson libssh2 yaml-0.1
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

.PHONY: all deps check unit unit-san integration demo bench fuzz install clean
all: etcd-monitor

$(DEPS_STAMP): tools/deps.sh
	@sh tools/deps.sh
	@mkdir -p $(BUILD) && touch $@
deps: $(DEPS_STAMP)

etcd-monitor: $(BUILD)/obj/main.o $(BUILD)/libem.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

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

$(BENCH): bench/bench_parse.c $(BUILD)/libem.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libem.a $(PKG_LIBS) -lm

# Unit tests: plain, then under ASan+UBSan. Integration tests drive the real binary
# against a real 3-member etcd cluster (tests/lib/cluster.sh).
check: unit unit-san integration fuzz-smoke
	@echo "make check: all suites passed"

unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS)

unit-san: $(UNIT_SAN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run-unit.sh $(UNIT_SAN)

integration: etcd-monitor $(STUB)
	@bash tests/run-integration.sh

demo: etcd-monitor
	@bash tests/lib/demo.sh

bench: etcd-monitor $(BENCH)
	@bash bench/run.sh

# libFuzzer targets (clang). `make fuzz` runs each for FUZZ_SECONDS;
# `make check` runs a short smoke pass over the committed corpus.
FUZZ_LIB_SRCS := src/parse/prom_parse.c src/parse/metrics_extract.c src/parse/status_json.c
$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_SRCS) $(HDRS) | $(DEPS_STAMP)
	clang -std=c11 -g -O1 -Iinclude $(INC_DIRS:%/=-I%) $(PKG_CFLAGS) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< \
	  $(FUZZ_LIB_SRCS) $(PKG_LIBS) -lm

fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(BUILD)/corpus/$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=262144 $(BUILD)/corpus/$$n tests/data/fuzz-seed 2>&1 | tail -3 || exit 1; done

fuzz-smoke: $(FUZZ_BINS)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

install: etcd-monitor
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/etcd-monitor/themes
	install -m 0755 etcd-monitor $(DESTDIR)$(PREFIX)/bin/etcd-monitor
	install -m 0644 man/etcd-monitor.1 $(DESTDIR)$(PREFIX)/share/man/man1/etcd-monitor.1
	install -m 0644 themes/*.theme $(DESTDIR)$(PREFIX)/share/etcd-monitor/themes/ 2>/dev/null || true

clean:
	rm -rf $(BUILD)/obj $(BUILD)/san $(BUILD)/tests $(BUILD)/tests-san $(BUILD)/fuzz_* \
	  $(STUB) $(BENCH) etcd-monitor
