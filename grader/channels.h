/* What passes between the grader and a sandboxed run: the run's key, and the report files. */
#ifndef RACECOURSE_CHANNELS_H
#define RACECOURSE_CHANNELS_H

#include "../tests/lib/handshake.h"

/* How the child finds the key: HANDSHAKE_FD_ENV=HANDSHAKE_FD. */
#define KEY_FD_ENV HANDSHAKE_FD_ENV "=4"

/* Bytes of a report read: far more than any honest one. */
#define REPORT_MAX (64 << 20)

/* A fresh key for one run's handshake: HANDSHAKE_ENV=<32 hex digits>. */
char *handshake_env(void);
/* The key of an env entry that handshake_env() made. */
const char *handshake_key(const char *env);
/*
 * The key on a descriptor, for the child as its fd HANDSHAKE_FD: the read
 * end of a pipe that holds it, close-on-exec, or -1.
 */
int handshake_fd(const char *key_env);
/* A file for a report, beside the scratch directory: its descriptor, or -1. */
int open_report(const char *path);

#endif
