# Driver support and the Helgrind atomics runtime, prebuilt once per tool.
# Student code and an exercise's driver are compiled at grading time and
# linked with these objects (see grader/build.c).
HARNESS_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -g -O1
HARNESS_DIR    := $(BUILD)/harness

HARNESS += $(HARNESS_DIR)/driver-native.o $(HARNESS_DIR)/driver-tsan.o \
           $(HARNESS_DIR)/driver-helgrind.o $(HARNESS_DIR)/hgatomic.o

$(HARNESS_DIR)/driver-native.o: harness/driver/grader_driver.c harness/driver/grader_driver.h
	@mkdir -p $(dir $@)
	gcc $(HARNESS_CFLAGS) -pthread -c -o $@ $<

$(HARNESS_DIR)/driver-tsan.o: harness/driver/grader_driver.c harness/driver/grader_driver.h
	@mkdir -p $(dir $@)
	clang $(HARNESS_CFLAGS) -fsanitize=thread -pthread -c -o $@ $<

# Helgrind build: atomics become calls into hgatomic.c, which tells Helgrind
# about the happens-before edges they create (no false races on C11 atomics).
HG_INSTR := -fsanitize=thread -mllvm -tsan-instrument-memory-accesses=0 \
            -mllvm -tsan-instrument-func-entry-exit=0 -mllvm -tsan-instrument-memintrinsics=0
$(HARNESS_DIR)/driver-helgrind.o: harness/driver/grader_driver.c harness/driver/grader_driver.h
	@mkdir -p $(dir $@)
	clang $(HARNESS_CFLAGS) -gdwarf-4 $(HG_INSTR) -pthread -c -o $@ $<

$(HARNESS_DIR)/hgatomic.o: harness/driver/hgatomic.c
	@mkdir -p $(dir $@)
	clang $(HARNESS_CFLAGS) -gdwarf-4 -c -o $@ $<
