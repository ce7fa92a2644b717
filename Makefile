# Racecourse: an autograded course kit on processes, threads and mutexes.
# `make help` lists the targets.

CC ?= cc
CFLAGS ?= -O2 -g
GRADER_CFLAGS = -std=c11 -Wall -Wextra -MMD -MP
GRADER_LIBS = -ljansson -lexpat -lm -lseccomp

GRADER_SRCS = $(wildcard grader/*.c)
GRADER_OBJS = $(GRADER_SRCS:%.c=build/%.o)
GRADER_LIB_OBJS = $(filter-out build/grader/main.o,$(GRADER_OBJS))
GRADER = grader/racecourse

# Quiet "CC file.o" lines; V=1 shows the full commands.
ifeq ($(V),1)
Q =
quiet = @:
else
Q = @
quiet = @printf '  %-6s %s\n'
endif

# make grade [A=03-race] [SUB=path] [SEED=n] [FORMAT=json OUT=file] [DETECTORS=none]
GRADE_ARGS = $(if $(A),--stage $(A)) $(if $(SEED),--seed $(SEED)) \
	$(if $(FORMAT),--format $(FORMAT)) $(if $(OUT),--out $(OUT)) \
	$(if $(DETECTORS),--detectors $(DETECTORS)) $(if $(TIME_LIMIT),--time-limit $(TIME_LIMIT)) \
	$(if $(FAST),--fast) \
	$(if $(SUB),,--save $(CURDIR)/.racecourse) $(SUB)

.PHONY: all help deps grade hint status watch batch similar test bench examples gradescope student-kit clean \
	unit-tests kit-tests mutate
all: $(GRADER)

help:
	@echo 'make grade              grade starter/ (your work), every stage'
	@echo 'make grade A=03-race    grade one stage'
	@echo 'make grade SUB=dir      grade another submission (a repository, a stage folder or loose files)'
	@echo '           SEED=n       replay a run of the schedule perturbation'
	@echo '           FAST=1       ThreadSanitizer instead of Helgrind and DRD: quicker, not the score of record'
	@echo '           FORMAT=json OUT=results.json   Gradescope results.json'
	@echo '           FORMAT=junit|tap|github        other report formats'
	@echo 'make status             each stage'"'"'s last score, and what is next'
	@echo 'make hint [A=03-race] [N=2]   the next hint (N: see one again)'
	@echo 'make watch              grade a stage each time you save its file'
	@echo 'make test               the kit'"'"'s own tests (grader unit tests, solutions, starters, mutants)'
	@echo 'make batch SUBS=dir     grade a whole class: gradebook.csv, report.html (JOBS=n SHARD=i/N OUT=dir FORCE=1)'
	@echo 'make similar SUBS=dir   the batch, then every pair of students compared (Dolos): similarity.csv'
	@echo 'make bench              grading-time benchmark'
	@echo 'make mutate A=03-race   mutation analysis: mutants of the solution, the kill rate (JOBS=n MAX=n LIST=1)'
	@echo 'make gradescope [A=03-race]   dist/autograder.zip for Gradescope'
	@echo 'make student-kit        dist/racecourse-student.tar.gz, without solutions and mutants'
	@echo 'make examples           regenerate the report examples in docs/examples/'
	@echo 'make clean              remove what the build made'

deps:
	$(Q)sh grader/install-deps.sh grade

$(GRADER): $(GRADER_OBJS)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GRADER_LIBS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(GRADER_CFLAGS) $(CFLAGS) -c -o $@ $<

# The grader's own build needs jansson and expat: install first.
$(GRADER_OBJS): | deps

grade: $(GRADER)
	$(Q)$(GRADER) $(GRADE_ARGS)

hint: $(GRADER)
	$(Q)$(GRADER) hint $(if $(A),--stage $(A)) $(if $(N),-n $(N))

status: $(GRADER)
	$(Q)$(GRADER) status

# make watch [VAR=value...]: the variables go on to make grade
watch: $(GRADER)
	$(Q)MAKE='$(MAKE)' sh grader/watch.sh

# ---- the kit's own tests ----

UNIT_SRCS = $(wildcard tests/grader/test_*.c)
UNIT_BIN = build/tests/grader/unit

$(UNIT_BIN): $(UNIT_SRCS) $(GRADER_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(GRADER_CFLAGS) $(CFLAGS) -Igrader -o $@ $(UNIT_SRCS) $(GRADER_LIB_OBJS) \
		$(GRADER_LIBS) -lcriterion

build/tests/verdict: tests/verdict.c
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(GRADER_CFLAGS) $(CFLAGS) -o $@ $< -ljansson

PERTURB_WRAPS = $(foreach f,mutex_lock mutex_unlock mutex_trylock rwlock_rdlock rwlock_wrlock \
	rwlock_unlock cond_wait cond_timedwait,-Wl,--wrap=pthread_$(f))

build/tests/lib/test_perturb: tests/lib/test_perturb.c tests/lib/perturb.c tests/lib/perturb.h
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(GRADER_CFLAGS) $(CFLAGS) -D_GNU_SOURCE -Itests/lib -o $@ tests/lib/test_perturb.c tests/lib/perturb.c \
		$(PERTURB_WRAPS) -pthread

unit-tests: $(UNIT_BIN) build/tests/lib/test_perturb
	$(Q)cd tests/grader && ../../$(UNIT_BIN) --jobs 2
	$(Q)timeout 20 build/tests/lib/test_perturb

kit-tests: $(GRADER) build/tests/verdict
	$(Q)sh tests/kit.sh

test: deps
	$(Q)test -d solutions || { echo "make test: the kit's self-tests are for instructors (this kit has no solutions/); make grade grades your work"; exit 2; }
	$(Q)sh grader/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory unit-tests
	$(Q)$(MAKE) --no-print-directory kit-tests
	$(Q)sh tests/batch.sh
	$(Q)sh tests/similar.sh
	$(Q)sh tests/deadlines.sh
	$(Q)sh tests/hostile.sh
	$(Q)sh tests/formats.sh
	$(Q)sh tests/doc_samples.sh
	$(Q)sh tests/self_study.sh
	$(Q)sh tests/gradescope.sh
	$(Q)sh tests/student_kit.sh
	$(Q)sh tests/image.sh
	$(Q)sh grader/mutate/mutate.sh --self-test

build/tests/bench: tests/bench.c $(GRADER_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(GRADER_CFLAGS) $(CFLAGS) -Igrader -o $@ $< $(GRADER_LIB_OBJS) $(GRADER_LIBS)

# make batch SUBS=dir [JOBS=n] [SHARD=i/N] [OUT=dir] [A=stages] [SEED=n] [FORCE=1]
#            [DEADLINE="2026-12-01 23:59" EXTENSIONS=f LATE_DAYS=n LATE_PENALTY=p PUSHES=f] ...
BATCH_ARGS = $(if $(JOBS),--jobs $(JOBS)) $(if $(SHARD),--shard $(SHARD)) \
	$(if $(OUT),--out $(OUT)) $(if $(A),--stage $(A)) $(if $(SEED),--seed $(SEED)) \
	$(if $(DETECTORS),--detectors $(DETECTORS)) $(if $(TIME_LIMIT),--time-limit $(TIME_LIMIT)) \
	$(if $(FORCE),--force) $(if $(DEADLINE),--deadline "$(DEADLINE)") \
	$(if $(EXTENSIONS),--extensions $(EXTENSIONS)) $(if $(LATE_DAYS),--late-days $(LATE_DAYS)) \
	$(if $(LATE_PENALTY),--late-penalty $(LATE_PENALTY)) $(if $(PUSHES),--pushes $(PUSHES))

batch: $(GRADER)
	$(if $(SUBS),,$(error make batch needs SUBS=dir: a folder with a submission per student))
	$(Q)$(GRADER) batch $(BATCH_ARGS) $(SUBS)

# make similar SUBS=dir [A=stages] [OUT=dir] ...: the batch (what is graded already is not graded
# again), then every pair of students' files compared, stage by stage: OUT/similarity.csv
similar: $(GRADER)
	$(if $(SUBS),,$(error make similar needs SUBS=dir: a folder with a submission per student))
	$(Q)$(GRADER) batch --similar $(BATCH_ARGS) $(SUBS)

# Packages for instructors: the Gradescope autograder, the kit students get.
gradescope:
	$(Q)sh grader/package.sh gradescope $(A)

student-kit:
	$(Q)sh grader/package.sh student-kit

examples: $(GRADER)
	$(Q)sh tests/examples.sh

bench: $(GRADER) build/tests/bench
	$(Q)sh tests/bench.sh

# make mutate A=<stage> [JOBS=n] [MAX=n] [SEED=n] [LIST=1]: mutation analysis of a stage's tests
mutate: $(GRADER)
	$(if $(A),,$(error make mutate needs A=<stage>, one of: $(notdir $(wildcard assignments/[0-9]*))))
	$(Q)sh grader/mutate/mutate.sh --stage $(A) $(if $(JOBS),--jobs $(JOBS)) $(if $(MAX),--max $(MAX)) \
		$(if $(SEED),--seed $(SEED)) $(if $(LIST),--list)

clean:
	rm -rf build $(GRADER)

-include $(GRADER_OBJS:.o=.d)
