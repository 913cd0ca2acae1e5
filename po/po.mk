# Catalogs (GNU gettext). English is the source language; every other
# language is one LL.po per catalog:
#   po/LL.po                   the grader's own messages and the driver
#                              library's (harness/driver)   (domain grader)
#   exercises/NAME/po/LL.po    one exercise's spec and driver strings
#                                                           (domain exercise-NAME)
# `make` compiles them (msgfmt) into build/locale/LL/LC_MESSAGES/DOMAIN.mo,
# where the grader finds them from its repository; `make po` extracts the
# strings (xgettext, into build/po/*.pot) and merges them into every .po
# (msgmerge), new strings left untranslated for a translator.
LOCALEDIR := build/locale
POTDIR    := build/po
# The driver's reporting functions: their formats are messages too (the
# driver sends format and arguments; the grader translates, see i18n.h).
DRIVER_KEYWORDS := --keyword=drv_finding:2 --keyword=drv_finding_at:3 \
	--keyword=drv_finding_sites:5 --keyword=drv_sync_finding_in:3 --keyword=DRV_MSG \
	--keyword=drv_threads_check_joined --keyword=drv_forbid_spawn
XGETTEXT_C   := xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
	--keyword=ngettext:1,2 $(DRIVER_KEYWORDS) --add-comments=TRANSLATORS: --no-wrap \
	--add-location=file --sort-by-file --package-name=grader
XGETTEXT_EX  := xgettext --from-code=UTF-8 --keyword=_ $(DRIVER_KEYWORDS) \
	--add-comments=TRANSLATORS: --no-wrap --add-location=file --sort-by-file --package-name=grader

GRADER_PO  := $(wildcard po/*.po)
GRADER_MO  := $(GRADER_PO:po/%.po=$(LOCALEDIR)/%/LC_MESSAGES/grader.mo)
EX_PO      := $(wildcard exercises/*/po/*.po)
ex_name     = $(word 2,$(subst /, ,$(1)))
ex_lang     = $(basename $(notdir $(1)))
ex_mo       = $(LOCALEDIR)/$(call ex_lang,$(1))/LC_MESSAGES/exercise-$(call ex_name,$(1)).mo
EX_MO      := $(foreach p,$(EX_PO),$(call ex_mo,$(p)))

locale: $(GRADER_MO) $(EX_MO)

$(LOCALEDIR)/%/LC_MESSAGES/grader.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

define EX_MO_RULE
$(call ex_mo,$(1)): $(1)
	@mkdir -p $$(dir $$@)
	msgfmt --check -o $$@ $$<
endef
$(foreach p,$(EX_PO),$(eval $(call EX_MO_RULE,$(p))))

# The strings of the grader (grader/*.c, harness/driver/*.c) and of each
# exercise: its spec.lua, or the files its po/POTFILES lists (one per line,
# relative to the exercise: spec.lua and driver.c to translate the driver's
# findings too).
DRIVER_SRC := $(wildcard harness/driver/grader_*.c)
$(POTDIR)/grader.pot: $(GRADER_SRC) $(DRIVER_SRC)
	@mkdir -p $(dir $@)
	$(XGETTEXT_C) -o $@ $(sort $(GRADER_SRC)) $(sort $(DRIVER_SRC))

ex_potfiles = $(if $(wildcard exercises/$(1)/po/POTFILES),$(addprefix exercises/$(1)/,$(shell cat \
	exercises/$(1)/po/POTFILES)),exercises/$(1)/spec.lua)
$(POTDIR)/exercise-%.pot: exercises/%/spec.lua $(wildcard exercises/*/driver.c exercises/*/po/POTFILES)
	@mkdir -p $(dir $@)
	$(XGETTEXT_EX) -o $@ $(call ex_potfiles,$*)

EX_WITH_PO := $(sort $(foreach p,$(EX_PO),$(call ex_name,$(p))))
po: $(POTDIR)/grader.pot $(EX_WITH_PO:%=$(POTDIR)/exercise-%.pot)
	@for p in $(GRADER_PO); do msgmerge --quiet --update --backup=none --no-wrap --add-location=file $$p $(POTDIR)/grader.pot; done
	@for p in $(EX_PO); do n=$$(echo $$p | cut -d/ -f2); \
	    msgmerge --quiet --update --backup=none --no-wrap --add-location=file $$p $(POTDIR)/exercise-$$n.pot; done
	@for p in $(GRADER_PO) $(EX_PO); do printf '%s: ' $$p; msgfmt --statistics -o /dev/null $$p; done
