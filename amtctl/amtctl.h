/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtctl's parts: asking a daemon (amtctl.c) and the doctor
 * (doctor.c), which asks the daemons and looks at the system.
 */

#ifndef AMTCTL_H
#define AMTCTL_H

#include <sys/types.h>

ssize_t	 ask(const char *, const char *, const char *, char **, int);
int	 doctor(int, char *[]);

#endif
