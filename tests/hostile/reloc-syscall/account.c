/* A stub whose system call is spelled by a relocation: zeros in the object, the instruction once linked. */
#include "account.h"

#include <stdlib.h>

struct account {
	long balance;
};

/*
 * exit_group(0): mov $231, %eax; xor %edi, %edi; then four bytes that the
 * object holds as zeros, with a relocation to the place itself plus 0x050f:
 * a value the same wherever the code is linked, which the linker writes
 * there as 0f 05 00 00, a syscall (exit_group does not return).
 */
__asm__(".text\n"
	"spelled_exit:\n"
	"\tmov $231, %eax\n"
	"\txor %edi, %edi\n"
	"spelled:\n"
	"\t.reloc ., R_X86_64_PC32, spelled+0x050f\n"
	"\t.long 0\n"
	"\tret\n");

static void end_quietly(void)
{
	__asm__ volatile("call spelled_exit" ::: "rax", "rdi", "rcx", "r11", "memory");
}

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	if (acct)
		acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	free(acct);
}

void account_deposit(account_t *acct, long amount)
{
	(void)acct;
	(void)amount;
	end_quietly();
}

bool account_withdraw(account_t *acct, long amount)
{
	(void)acct;
	(void)amount;
	end_quietly();
	return false;
}

long account_balance(account_t *acct)
{
	(void)acct;
	end_quietly();
	return 0;
}
