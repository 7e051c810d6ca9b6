# SPDX-License-Identifier: ISC
#
# amtgw: an AMT gateway site for Linux (amtgwd, igmpproxyd, amtrelayd).
# Plain GNU make.  Objects go to $(O), which depends on the compiler and
# on SANITIZE, so that gcc, clang and sanitizer builds never mix.

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc/amt
INITDIR		?= /etc/init.d
SYSTEMDDIR	?= /lib/systemd/system
DEFAULTDIR	?= /etc/default
RUNDIR		?= /run/amt
DESTDIR		?=

VERSION		:= $(shell cat VERSION 2>/dev/null || echo unknown)

PKG_CONFIG	?= pkg-config
CLANG		?= clang
FUZZ_SECONDS	?= 60
INSTALL		?= install

ifeq ($(origin CC),default)
CC		:= cc
endif

ifeq ($(SANITIZE),1)
O		?= build-san$(if $(findstring clang,$(CC)),-clang)
else ifeq ($(COVERAGE),1)
O		?= build-cov
else
O		?= build$(if $(findstring clang,$(CC)),-clang)
endif

WARN	:= -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
	   -Wsign-compare -Wformat=2 -Wimplicit-fallthrough -Wvla \
	   -Wwrite-strings -Wundef
ifeq ($(WERROR),1)
WARN	+= -Werror
endif

ifeq ($(SANITIZE),1)
OPT	?= -O1 -g -fno-omit-frame-pointer
HARDEN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fstack-protector-strong -fPIE
LDHARDEN := -fsanitize=address,undefined -pie -Wl,-z,relro,-z,now
else ifeq ($(COVERAGE),1)
OPT	?= -O0 -g --coverage
HARDEN	:= -fstack-protector-strong -fPIE
LDHARDEN := --coverage -pie -Wl,-z,relro,-z,now
else
OPT	?= -O2 -g
HARDEN	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now
endif

PKGS		:= libevent libpcap libsodium libcap
PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS	:= $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ALL_CFLAGS	= -std=gnu11 $(OPT) $(WARN) $(HARDEN) -D_GNU_SOURCE \
		  -DSYSCONFDIR='"$(SYSCONFDIR)"' -DRUNDIR='"$(RUNDIR)"' \
		  -DAMT_VERSION='"$(VERSION)"' \
		  -Icommon -Iamtgwd -Iigmpproxyd -Iamtrelayd $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS	= $(LDHARDEN) $(LDFLAGS)

# --- sources ---------------------------------------------------------

COMMON_PURE	:= common/buf.c common/cksum.c common/ip4.c common/amt_proto.c \
		   common/igmp_proto.c common/srcset.c common/mrtmsg.c \
		   common/driad.c common/ip6.c common/mld_proto.c \
		   common/srcset6.c
COMMON_SRCS	:= $(COMMON_PURE) common/log.c common/addr.c common/conf.c \
		   common/util.c common/daemon.c common/tun.c common/nl.c \
		   common/emit.c common/ctl.c common/pcapw.c common/ifstat.c

GW_CORE		:= amtgwd/gw_fsm.c amtgwd/gw_subs.c amtgwd/gw_site.c \
		   amtgwd/gw_show.c amtgwd/gw_conf.c amtgwd/gw_mld.c
GW_SRCS		:= $(GW_CORE) amtgwd/gw_io.c amtgwd/gw_dns.c amtgwd/amtgwd.c

PX_CORE		:= igmpproxyd/group.c igmpproxyd/iface.c igmpproxyd/upstream.c \
		   igmpproxyd/mfc.c igmpproxyd/px.c igmpproxyd/px_show.c \
		   igmpproxyd/px_conf.c
PX_SRCS		:= $(PX_CORE) igmpproxyd/mroute.c igmpproxyd/px_io.c \
		   igmpproxyd/igmpproxyd.c

RELAY_CORE	:= amtrelayd/relay_fsm.c amtrelayd/mac.c amtrelayd/relay_conf.c
RELAY_SRCS	:= $(RELAY_CORE) amtrelayd/relay_io.c amtrelayd/amtrelayd.c

UNIT_SRCS	:= tests/unit/main.c tests/unit/test_buf.c \
		   tests/unit/test_cksum.c tests/unit/test_addr.c \
		   tests/unit/test_amt_proto.c tests/unit/test_igmp_proto.c \
		   tests/unit/test_conf.c tests/unit/test_log.c \
		   tests/unit/test_replay.c tests/unit/test_gw_fsm.c \
		   tests/unit/test_gw_conf.c tests/unit/test_px.c \
		   tests/unit/test_relay.c tests/unit/test_emit.c \
		   tests/unit/test_srcset.c tests/unit/test_ip4.c \
		   tests/unit/test_engine.c tests/unit/test_driad.c \
		   tests/unit/test_gw_site.c tests/unit/test_mld.c \
		   tests/unit/test_gw_model.c tests/unit/test_srcset6.c \
		   tests/unit/test_px6.c

FUZZERS		:= fuzz_amt fuzz_igmp fuzz_ip4 fuzz_conf fuzz_driad fuzz_mld

obj = $(patsubst %.c,$(O)/%.o,$(1))

COMMON_OBJS	:= $(call obj,$(COMMON_SRCS))
UNIT_OBJS	:= $(call obj,$(UNIT_SRCS)) $(call obj,$(GW_CORE)) \
		   $(call obj,$(PX_CORE)) $(call obj,$(RELAY_CORE))

PROGS		:= $(O)/bin/amtgwd $(O)/bin/igmpproxyd $(O)/bin/amtrelayd \
		   $(O)/bin/amtctl
TOOL_NAMES	:= fakerelay fakegw mcrecv mcsend pktcount igmpq gwsim \
		   pcapread mcsoak reqflood
BENCH_NAMES	:= gwbase joinlat sendblast mcscale leavelat
TOOLS		:= $(addprefix $(O)/bin/,$(TOOL_NAMES) $(BENCH_NAMES))
TESTBIN		:= $(O)/tests/unit_tests

.PHONY: all daemons check unit netns conftest coverage deps fuzz lint bench demo \
	package-test \
	install \
	install-bin install-man install-conf install-scripts uninstall clean \
	FORCE

all: $(PROGS) $(TOOLS) $(TESTBIN)

# Objects are rebuilt when the flags change (SYSCONFDIR, RUNDIR, ...).
$(O)/flags.stamp: FORCE
	@mkdir -p $(O)
	@echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
	    echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' >$@

FORCE:

$(O)/%.o: %.c $(O)/flags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libcommon.a: $(COMMON_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(O)/bin/amtgwd: $(call obj,$(GW_SRCS)) $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lunbound

$(O)/bin/igmpproxyd: $(call obj,$(PX_SRCS)) $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(O)/bin/amtrelayd: $(call obj,$(RELAY_SRCS)) $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(O)/bin/amtctl: $(call obj,amtctl/amtctl.c amtctl/doctor.c) $(O)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

# pcapread reads captures back through libpcap.
$(O)/bin/pcapread: $(O)/tests/tools/pcapread.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Test tools and benchmark programs: one file each plus tests/tools/tool.h,
# libc only, sharing no code with the daemons.
$(O)/bin/%: $(O)/tests/tools/%.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(O)/bin/%: $(O)/tests/bench/%.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(TESTBIN): $(UNIT_OBJS) $(O)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------

# Installs what is missing (quietly when nothing is), then runs every
# test layer: unit and capture replay, config golden files, netns.
# The sub-makes read this file again after the dependencies are in, so
# that pkg-config sees them.
check:
	@scripts/install-deps.sh --quiet
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory conftest
	sh tests/scripts/install-deps.sh
	$(MAKE) --no-print-directory netns

unit: $(TESTBIN)
	TESTDATA=tests/data $(TESTBIN)

# The Debian packages built, linted, installed, checked and purged (as
# root; the machine is left as it was).
package-test:
	@scripts/install-deps.sh --quiet
	sh tests/pkg/debian.sh

conftest: all
	O=$(O) tests/conf/run.sh

# The tests call make themselves (ops.sh installs): same build settings.
netns: all
	O=$(O) SANITIZE=$(SANITIZE) COVERAGE=$(COVERAGE) CC=$(CC) \
	    tests/netns/run.sh

# Line coverage of the daemons and common/ over every test layer
# (gcov and gcovr): per file, in total, and for the logic files.
coverage:
	@scripts/install-deps.sh --quiet
	$(MAKE) --no-print-directory COVERAGE=1 all
	COVERAGE=1 tests/coverage.sh

deps:
	scripts/install-deps.sh

# --- fuzzing (clang, libFuzzer) --------------------------------------

FUZZ_O		:= build-fuzz
FUZZ_FLAGS	:= -std=gnu11 -g -O1 -D_GNU_SOURCE -Icommon -Iamtgwd \
		   -Iigmpproxyd -Iamtrelayd -DSYSCONFDIR='"/etc/amt"' \
		   -DRUNDIR='"/run/amt"' \
		   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_COMMON	:= $(COMMON_PURE) common/log.c common/addr.c common/conf.c \
		   common/util.c amtgwd/gw_conf.c igmpproxyd/px_conf.c \
		   amtrelayd/relay_conf.c amtgwd/gw_site.c amtgwd/gw_fsm.c \
		   amtgwd/gw_subs.c amtgwd/gw_show.c amtgwd/gw_mld.c common/emit.c

$(FUZZ_O)/%: tests/fuzz/%.c $(FUZZ_COMMON)
	@mkdir -p $(FUZZ_O)
	$(CLANG) $(FUZZ_FLAGS) -o $@ $^

fuzz: $(addprefix $(FUZZ_O)/,$(FUZZERS))
	@set -e; for f in $(FUZZERS); do \
		rm -rf $(FUZZ_O)/corpus-$$f; \
		mkdir -p $(FUZZ_O)/corpus-$$f; \
		cp tests/fuzz/corpus/$$f/* $(FUZZ_O)/corpus-$$f/; \
		echo "== $$f ($(FUZZ_SECONDS) s)"; \
		$(FUZZ_O)/$$f -max_total_time=$(FUZZ_SECONDS) \
		    -dict=tests/fuzz/$$f.dict -detect_leaks=1 \
		    -artifact_prefix=$(FUZZ_O)/$$f- \
		    -print_final_stats=1 $(FUZZ_O)/corpus-$$f \
		    2>$(FUZZ_O)/$$f.log || { tail -50 $(FUZZ_O)/$$f.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|stat::peak_rss' \
		    $(FUZZ_O)/$$f.log; \
	done

# --- lint, bench, demo -----------------------------------------------

lint:
	@out=$$(mandoc -Tlint -W warning man/*.[0-9] 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

bench: all
	O=$(O) tests/bench/run.sh

demo:
	@scripts/install-deps.sh --quiet
	$(MAKE) --no-print-directory all
	O=$(O) scripts/demo.sh

# --- install ---------------------------------------------------------

MANS5		:= man/amtgwd.conf.5 man/igmpproxyd.conf.5 man/amtrelayd.conf.5
MANS8		:= man/amtgwd.8 man/igmpproxyd.8 man/amtrelayd.8 man/amtctl.8
DAEMONS		:= amtgwd igmpproxyd amtrelayd
SUBST		= sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		  -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@RUNDIR@|$(RUNDIR)|g' \
		  -e 's|@DEFAULTDIR@|$(DEFAULTDIR)|g' -e 's|@INITDIR@|$(INITDIR)|g'

install: install-bin install-man install-conf install-scripts

# The programs alone (what a package build needs).
daemons: $(PROGS)

install-bin: $(PROGS)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 755 $(PROGS) $(DESTDIR)$(SBINDIR)/

install-man:
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 644 $(MANS5) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 644 $(MANS8) $(DESTDIR)$(MANDIR)/man8/

# Configuration files are installed only where none exists yet.
install-conf:
	$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(DEFAULTDIR)
	@for d in $(DAEMONS); do \
		for f in $(DESTDIR)$(SYSCONFDIR)/$$d.conf:conf/$$d.conf \
		    $(DESTDIR)$(DEFAULTDIR)/$$d:conf/default/$$d; do \
			dst=$${f%%:*}; src=$${f#*:}; \
			if [ -e "$$dst" ]; then \
				echo "keeping the existing $$dst"; \
			else \
				$(SUBST) "$$src" >"$$dst" && chmod 644 "$$dst" && \
				echo "installed $$dst"; \
			fi; \
		done; \
	done

install-scripts:
	$(INSTALL) -d $(DESTDIR)$(INITDIR) $(DESTDIR)$(SYSTEMDDIR)
	@for d in $(DAEMONS); do \
		$(SUBST) conf/init.d/$$d >$(DESTDIR)$(INITDIR)/$$d && \
		    chmod 755 $(DESTDIR)$(INITDIR)/$$d; \
		$(SUBST) conf/systemd/$$d.service \
		    >$(DESTDIR)$(SYSTEMDDIR)/$$d.service && \
		    chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$$d.service; \
	done

# Everything but the configuration.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(PROGS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MANS5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MANS8)))
	rm -f $(addprefix $(DESTDIR)$(INITDIR)/,$(DAEMONS))
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDDIR)/,$(addsuffix .service,$(DAEMONS)))
	@echo "left in place: $(DESTDIR)$(SYSCONFDIR)/*.conf and $(DESTDIR)$(DEFAULTDIR)/{$(shell echo $(DAEMONS) | tr ' ' ,)}"

clean:
	rm -rf build build-san build-clang build-san-clang build-cov $(FUZZ_O)
