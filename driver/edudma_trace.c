// SPDX-License-Identifier: GPL-2.0
/* edudma: the tracepoints' one definition (edudma_trace.h). */
#define CREATE_TRACE_POINTS
#include "edudma_trace.h"
