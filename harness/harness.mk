# Driver support and the Helgrind atomics runtime, prebuilt once per tool.
# Every harness/driver/*.c except hgatomic.c is driver support: it is compiled
# for each tool into build/harness/driver-TOOL.a, which grader/build.c links
# with the student's file and the exercise's driver.
HARNESS_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -g -O1 -pthread
HARNESS_DIR    := $(BUILD)/harness
DRIVER_SRC     := $(filter-out harness/driver/hgatomic.c,$(wildcard harness/driver/*.c))
DRIVER_HDR     := $(wildcard harness/driver/*.h)

# Helgrind build: atomics become calls into hgatomic.c, which tells Helgrind
# about the happens-before edges they create (no false races on C11 atomics).
HG_INSTR := -gdwarf-4 -fsanitize=thread -mllvm -tsan-instrument-memory-accesses=0 \
            -mllvm -tsan-instrument-func-entry-exit=0 -mllvm -tsan-instrument-memintrinsics=0

TOOL_CC_native   := gcc
TOOL_CC_tsan     := clang -fsanitize=thread
TOOL_CC_helgrind := clang $(HG_INSTR)

define driver_lib
$(HARNESS_DIR)/$(1)/%.o: harness/driver/%.c $(DRIVER_HDR)
	@mkdir -p $$(dir $$@)
	$(TOOL_CC_$(1)) $(HARNESS_CFLAGS) -c -o $$@ $$<
$(HARNESS_DIR)/driver-$(1).a: $(DRIVER_SRC:harness/driver/%.c=$(HARNESS_DIR)/$(1)/%.o)
	@rm -f $$@
	ar rcs $$@ $$^
HARNESS += $(HARNESS_DIR)/driver-$(1).a
endef
$(foreach t,native tsan helgrind,$(eval $(call driver_lib,$(t))))

HARNESS += $(HARNESS_DIR)/hgatomic.o
$(HARNESS_DIR)/hgatomic.o: harness/driver/hgatomic.c
	@mkdir -p $(dir $@)
	clang $(HARNESS_CFLAGS) -gdwarf-4 -c -o $@ $<
