/* Hostile: a raw system call from inline assembly, past every import check: exit_group(0) in the middle of a test. */
#include "account.h"

static void leave(void)
{
	__asm__ volatile("mov $231, %%eax\n\txor %%edi, %%edi\n\tsyscall" ::: "rax", "rdi", "rcx", "r11", "memory");
}

account_t *account_new(long initial) { (void)initial; leave(); return 0; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; leave(); }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; leave(); return false; }
long account_balance(account_t *acct) { (void)acct; leave(); return 0; }
