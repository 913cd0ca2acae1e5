# The loopback HTTP test server of the `download` exercise (harness/httpd).
# Included by the top Makefile; drivers start it through grader_http.c.
HTTPD_SRC := $(wildcard harness/httpd/*.c)
HTTPD_HDR := $(wildcard harness/httpd/*.h)
HTTPD_BIN := $(BUILD)/harness/httpd

HARNESS += $(HTTPD_BIN)

$(HTTPD_BIN): $(HTTPD_SRC) $(HTTPD_HDR) harness/httpd/httpd.mk
	@mkdir -p $(dir $@)
	gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -o $@ $(HTTPD_SRC)

# driver support checks bodies with the server's content generator
$(foreach t,native tsan helgrind,$(HARNESS_DIR)/$(t)/grader_http.o): harness/httpd/content.h
