/* SPDX-License-Identifier: BSD-2-Clause */
/* test_agent.c: the agent stage (DESIGN.md 7) driven through the pipeline. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

int
main(void)
{
	return (0);
}
