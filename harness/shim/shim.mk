# libstress.so: the schedule and stress library preloaded into drivers
# (see harness/shim/PROTOCOL.md). Included by the top Makefile.
SHIM_SRC    := $(wildcard harness/shim/*.c)
SHIM_HDR    := $(wildcard harness/shim/*.h)
SHIM_LIB    := $(BUILD)/harness/libstress.so
SHIM_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC -shared -O2 -g \
               -fvisibility=hidden -fexceptions -fno-tree-loop-distribute-patterns \
               -fno-stack-protector
SHIM_LDFLAGS := -Wl,--version-script=harness/shim/shim.map -Wl,-z,nodelete

HARNESS += $(SHIM_LIB)

$(SHIM_LIB): $(SHIM_SRC) $(SHIM_HDR) harness/shim/shim.map harness/shim/shim.mk
	@mkdir -p $(dir $@)
	gcc $(SHIM_CFLAGS) -o $@ $(SHIM_SRC) $(SHIM_LDFLAGS) -ldl -pthread

.PHONY: shim-test
shim-test: $(SHIM_LIB)
	tests/shim/run.sh $(SHIM_LIB)
