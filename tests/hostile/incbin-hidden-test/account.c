/* Hostile: .incbin of the kit's hidden test at compile time, printed at run time (and the file quoted if the assembler fails on it). */
#include "account.h"

#include <stdio.h>

__asm__(".section .rodata\n"
	".globl hidden_text\n"
	"hidden_text:\n"
	".incbin \"@KIT@/tests/03-race/hidden/test_hidden.c\"\n"
	".byte 0\n"
	".previous\n");
extern const char hidden_text[];

account_t *account_new(long initial) { (void)initial; fputs(hidden_text, stderr); fputs(hidden_text, stdout); return 0; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
