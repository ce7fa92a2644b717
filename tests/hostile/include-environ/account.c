/* Hostile: includes the compiler's own environment, which the compiler's errors then quote into the report. */
#include "account.h"

#include "/proc/self/environ"
