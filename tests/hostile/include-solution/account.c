/* Hostile: the kit's solution, included by its absolute path at compile time. */
#include "@KIT@/solutions/03-race/account.c"
