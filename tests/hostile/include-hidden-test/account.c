/* Hostile: the kit's hidden test, included by a relative path at compile time. */
#include "../../../../../../../../../../..@KIT@/tests/03-race/hidden/test_hidden.c"
