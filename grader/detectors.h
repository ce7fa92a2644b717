/* The detectors over a stage's scenarios: Helgrind and DRD, ThreadSanitizer and AddressSanitizer. */
#ifndef RACECOURSE_DETECTORS_H
#define RACECOURSE_DETECTORS_H

#include "child.h"
#include "grade.h"
#include "options.h"
#include "util.h"

struct detector_run {
	const char *tool;	/* "helgrind" or "drd" */
	unsigned flag;
	struct child child;
	char *xml;		/* where its report goes */
	char *key_env;		/* the handshake's key */
	char *deadline_env;
	const char *env[3];
	int log_fd;		/* valgrind's own messages (--log-fd), a memory file, or -1 */
};

struct sanitizer;

struct sanitizer_run {
	const struct sanitizer *san;
	struct child child;
	char *options, *seed, *key_env, *deadline_env;
	const char *env[5];
};

/* The detectors of one stage's grading: at most four children. */
struct detectors {
	struct detector_run dets[2];
	size_t ndets;
	struct sanitizer_run sans[2];
	size_t nsans;
};

/*
 * Sets up and starts the detectors that o->tools asks for over the
 * scenarios built in dir, when the stage has race-free points: the
 * sanitizers' runs natively, then Helgrind's and DRD's.  Each started
 * child is added to running[*n], which has room for four more.
 */
void detectors_start(struct detectors *ds, const struct grade_options *o, const struct stage *st,
		     const char *dir, struct child **running, size_t *n);

/*
 * Once they have all ended: what each found goes into res (findings, the
 * time each took), and why one could not vouch for the code into note;
 * then the runs are released.
 */
void detectors_collect(struct detectors *ds, struct stage_result *res, const struct grade_options *o,
		       const char *dir, const char *helper_dir, struct strbuf *note);

#endif
