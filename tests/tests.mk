# Tests: `make test` runs every tier through tests/run and ends with
# "N passed, N failed, N skipped" (each skip listed with its reason).
# Tiers: unit (Criterion), spec errors, tool proofs, golden reports, HTML,
# shim, HTTP server, hostile submissions, scan, instructor commands (cli),
# the grader under ASan + UBSan (sanitize), grader check --all.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(BUILD)/tests/unit

$(UNIT_BIN): $(UNIT_SRC) $(BUILD)/libgrader.a grader/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -Wall -Wextra -Werror -Wno-unused-parameter -g -Igrader $(LUA_CFLAGS) \
		$(filter -fsanitize%,$(OPT)) -o $@ $(UNIT_SRC) $(BUILD)/libgrader.a -lcriterion $(LUA_LIBS) -lexpat -lm

unit: $(UNIT_BIN)

test: setup all $(UNIT_BIN) sanitize-build
	@tests/run

.PHONY: test unit

SPECS_BIN := $(BUILD)/tests/specs
$(SPECS_BIN): tests/specs/test_specs.c $(BUILD)/libgrader.a grader/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -Wall -Wextra -Werror -Wno-unused-parameter -g -Igrader \
		-o $@ tests/specs/test_specs.c $(BUILD)/libgrader.a -lcriterion $(LUA_LIBS) -lexpat -lm
test: $(SPECS_BIN)
