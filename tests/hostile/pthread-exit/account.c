/*
 * Hostile: ends the calling thread with pthread_exit(), which in a program's
 * main thread lets the process exit with status 0 once its other threads
 * are done, as if the program had finished.
 */
#include "account.h"

#include <pthread.h>

account_t *account_new(long initial)
{
	(void)initial;
	pthread_exit(NULL);
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
