/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The source-set module for IPv6: srcset_impl.h with 16-byte keys,
 * ordered as bytes (network order).
 */

#include <stdlib.h>
#include <string.h>

#include "srcset6.h"

#define SS_T		struct mc_src6
#define SS_SFX		6
#define SS_LT(x, y)	(memcmp((x).a, (y).a, 16) < 0)
#define SS_EQ(x, y)	(memcmp((x).a, (y).a, 16) == 0)
#include "srcset_impl.h"
