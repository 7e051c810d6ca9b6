/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* Runs every unit suite and prints Check's summary line. */

#include <stdlib.h>

#include "log.h"
#include "unit.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(1, 0);
	log_procname("unit");
	/* The modules log what they reject; the assertions say enough. */
	log_discard_all(getenv("UNIT_LOG") == NULL);
	sr = srunner_create(buf_suite());
	srunner_add_suite(sr, cksum_suite());
	srunner_add_suite(sr, addr_suite());
	srunner_add_suite(sr, ip4_suite());
	srunner_add_suite(sr, amt_proto_suite());
	srunner_add_suite(sr, igmp_proto_suite());
	srunner_add_suite(sr, conf_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, replay_suite());
	srunner_add_suite(sr, srcset_suite());
	srunner_add_suite(sr, gw_fsm_suite());
	srunner_add_suite(sr, gw_conf_suite());
	srunner_add_suite(sr, px_suite());
	srunner_add_suite(sr, engine_suite());
	srunner_add_suite(sr, driad_suite());
	srunner_add_suite(sr, gw_site_suite());
	srunner_add_suite(sr, mld_suite());
	srunner_add_suite(sr, gw_model_suite());
	srunner_add_suite(sr, srcset6_suite());
	srunner_add_suite(sr, px6_suite());
	srunner_add_suite(sr, relay_suite());
	srunner_add_suite(sr, emit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
