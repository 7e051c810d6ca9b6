/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Source sets and the membership semantics built on them: the set
 * operations, a host's filter state (RFC 3376 5.1), a router's group
 * state with its timers and the tables of 6.4.1 and 6.4.2, and the
 * merge of 3.2 (RFC 4605 4.1).  In the comments A, B, X and Y are the
 * RFC's: A the INCLUDE list, X the EXCLUDE-mode sources whose timers
 * run, Y those whose timers are stopped, B the record's sources.
 */

#include <stdlib.h>
#include <string.h>

#include "srcset.h"

#define SS_T		uint32_t
#define SS_SFX
#define SS_LT(a, b)	((a) < (b))
#define SS_EQ(a, b)	((a) == (b))
#include "srcset_impl.h"

