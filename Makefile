# The concurrency autograder.
#   make          build bin/grader and the harness
#   make test     run every test (installs missing packages first, or says how)
#   make demo     grade the bundled reference and a buggy `threads` submission
#   make setup    only check / install the packages
#   make format-check  fail if the C code differs from .clang-format (make format fixes it)
#   make sanitize the grader and its unit tests built with ASan + UBSan, run
#   make po       extract every catalog's strings and merge them into the .po files
#   make bench-stability  grade every reference and buggy variant 20 times with
#                 two CPU hogs running; fails if any got more than one score

CC       ?= gcc
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT      ?= -O2 -g
LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS   := $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
CFLAGS   := $(CSTD) $(WARN) $(OPT)
BUILD    := build

GRADER_BIN ?= bin/grader
GRADER_SRC := $(wildcard grader/*.c)
GRADER_OBJ := $(GRADER_SRC:grader/%.c=$(BUILD)/grader/%.o)
LIB_OBJ    := $(filter-out $(BUILD)/grader/main.o,$(GRADER_OBJ))

.PHONY: all setup test demo clean format format-check unit sanitize sanitize-build po locale bench-stability
all: $(GRADER_BIN) harness locale

$(GRADER_BIN): $(GRADER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LUA_LIBS) -lexpat -lm

$(BUILD)/grader/spec.o $(BUILD)/grader/spec_check.o: CFLAGS += $(LUA_CFLAGS)
$(BUILD)/grader/%.o: grader/%.c grader/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libgrader.a: $(LIB_OBJ)
	ar rcs $@ $^

# --- harness: what runs beside student code --------------------------------
HARNESS :=
include harness/harness.mk
-include harness/shim/shim.mk
-include harness/httpd/httpd.mk
harness: $(HARNESS)

# --- translations (GNU gettext) ------------------------------------------
include po/po.mk

# --- tests ------------------------------------------------------------------
include tests/tests.mk

setup:
	@scripts/setup

demo: setup all
	@scripts/demo

bench-stability: all
	@bench/stability -n 20 --hogs

# --- the grader itself under AddressSanitizer + UndefinedBehaviorSanitizer -----
# A second build in build/san (clang, -O1) of the grader and its unit tests;
# tests/sanitize.sh runs them and a few real gradings, failing on any report.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_BUILD := $(BUILD)/san
sanitize: all sanitize-build
	@tests/sanitize.sh $(SAN_BUILD)
sanitize-build:
	@$(MAKE) --no-print-directory CC=clang BUILD=$(SAN_BUILD) GRADER_BIN=$(SAN_BUILD)/bin/grader \
		OPT="-O1 -g $(SAN_FLAGS)" $(SAN_BUILD)/bin/grader $(SAN_BUILD)/tests/unit

# The project's own C code follows .clang-format; CI runs format-check.
FORMAT_SRC = $(wildcard grader/*.[ch] harness/*/*.[ch] tests/unit/*.c)
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	@command -v clang-format >/dev/null || { echo "format-check: clang-format is missing (scripts/setup installs it)" >&2; exit 1; }
	@clang-format --dry-run -Werror $(FORMAT_SRC) 2>&1 | grep -m1 -A4 'error:' && \
		{ echo "format-check: files above differ from .clang-format; run make format" >&2; exit 1; } || true

clean:
	rm -rf $(BUILD) bin tests/out
