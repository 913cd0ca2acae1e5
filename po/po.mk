# Catalogs (GNU gettext). English is the source language; every other
# language is one LL.po per catalog:
#   po/LL.po                   the grader's own messages    (domain grader)
#   exercises/NAME/po/LL.po    one exercise's spec strings  (domain exercise-NAME)
# `make` compiles them (msgfmt) into build/locale/LL/LC_MESSAGES/DOMAIN.mo,
# where the grader finds them from its repository; `make po` extracts the
# strings (xgettext, into build/po/*.pot) and merges them into every .po
# (msgmerge), new strings left untranslated for a translator.
LOCALEDIR := build/locale
POTDIR    := build/po
XGETTEXT_C   := xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
	--keyword=ngettext:1,2 --add-comments=TRANSLATORS: --no-wrap --add-location=file --sort-by-file \
	--package-name=grader
XGETTEXT_LUA := xgettext --language=Lua --from-code=UTF-8 --keyword=_ \
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

# The strings of the grader (grader/*.c) and of each exercise's spec.lua.
$(POTDIR)/grader.pot: $(GRADER_SRC)
	@mkdir -p $(dir $@)
	$(XGETTEXT_C) -o $@ $(sort $(GRADER_SRC))

$(POTDIR)/exercise-%.pot: exercises/%/spec.lua
	@mkdir -p $(dir $@)
	$(XGETTEXT_LUA) -o $@ $<

EX_WITH_PO := $(sort $(foreach p,$(EX_PO),$(call ex_name,$(p))))
po: $(POTDIR)/grader.pot $(EX_WITH_PO:%=$(POTDIR)/exercise-%.pot)
	@for p in $(GRADER_PO); do msgmerge --quiet --update --backup=none --no-wrap --add-location=file $$p $(POTDIR)/grader.pot; done
	@for p in $(EX_PO); do n=$$(echo $$p | cut -d/ -f2); \
	    msgmerge --quiet --update --backup=none --no-wrap --add-location=file $$p $(POTDIR)/exercise-$$n.pot; done
	@for p in $(GRADER_PO) $(EX_PO); do printf '%s: ' $$p; msgfmt --statistics -o /dev/null $$p; done
