/* SPDX-License-Identifier: GPL-2.0 */
/*
 * et_harness.h: the harness every guest test is written on.
 *
 * A test program is a list of cases.  The runner (et_harness.c, which
 * holds main()) counts them itself, prints the TAP plan and one result per
 * case, and runs each case in a child process of its own, in its own
 * process group, under its own time limit.  A case that crashes, hangs or
 * calls exit() fails alone; the next one runs.  After every case the
 * runner, in the parent, kills what the case left running and checks that
 * the pin counters of /proc/vmstat are back where they were before it,
 * that the kernel log holds no line of the lab's list of bad lines
 * (qemu/klog-bad), that no module parameter of edudma was left changed
 * (it puts it back) and, on the debug kernel, that DMA-API debug's error
 * count did not move; any of these fails the case.  Every time limit is
 * multiplied by EDUDMA_SLOW when the lab sets it (the debug kernel).
 *
 *	ET_TEST(name) { ... }			one case
 *	ET_TEST_N(name, n) { ... et_index() }	n cases, "name[i]"
 *	ET_TABLE(name, type, rows) { row->... }	one case per row; a row's
 *						first member is its name,
 *						const char *name
 *	ET_FIXTURE(f) { members };		state for the cases below
 *	ET_SETUP(f) { self->... }		runs before each case of f,
 *	ET_TEARDOWN(f) { self->... }		and after it, in the child
 *	ET_TEST_F(f, name) { self->... }
 *	ET_TEST_N_F(f, name, n) { self, et_index() }
 *	ET_TABLE_F(f, name, type, rows) { self, row }
 *	ET_PRECONDITION(fn)			const char *fn(void): NULL, or
 *						why the whole program skips
 *
 * Inside a case:
 *	ET_EXPECT(cond, fmt, ...)	on failure prints file:line and the
 *					message, fails the case, goes on
 *	ET_ASSERT(cond, fmt, ...)	the same, then ends the case (its
 *					fixture's teardown still runs)
 *	ET_EXPECT_ERRNO(got, want, what)
 *	ET_ASSERT_ERRNO(got, want, what)	errno results (0 = success) by
 *					their names: "what: EINVAL, expected
 *					ENOENT"
 *	ET_SKIP(fmt, ...)		ends the case as skipped, with a reason
 *	et_note(fmt, ...)		a diagnostic line ("# ...")
 *	et_timeout(seconds)		this case's time limit from now on
 *
 * A case's generator (et_rand(), et_fill(), ...) is seeded from the run's
 * seed and the case's name, so EDUDMA_SEED and the case's name given on
 * the command line repeat one case exactly.  The default time limit is
 * ET_DEFAULT_TIMEOUT seconds (defined before this header to change it for
 * a whole file).  The program's options: -l lists the cases, -t SECONDS
 * sets the default limit, and NAME or a shell pattern runs only the cases
 * that match.  Exit status (kselftest's): 0 when no case failed, 1 when
 * one did, 4 when every case was skipped.
 */
#ifndef ET_HARNESS_H
#define ET_HARNESS_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#ifndef ET_DEFAULT_TIMEOUT
#define ET_DEFAULT_TIMEOUT 60
#endif

struct et_case {
	const char *name;	/* the case, or the table's name */
	const char *file;
	int line;
	void (*fn)(const void *row);
	const void *rows;	/* a table: n rows of rowsz bytes */
	size_t rowsz;
	unsigned int n;		/* how many cases this entry holds */
	unsigned int timeout;	/* seconds */
	struct et_case *next;
};

void et_register(struct et_case *c);
void et_register_precondition(const char *(*fn)(void));

/* The running case: its index in its entry (ET_TEST_N, tables), its name. */
unsigned int et_index(void);
const char *et_case_name(void);

void et_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void et_timeout(unsigned int seconds);
void et_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void __attribute__((noreturn)) et_end_case(void);
void __attribute__((noreturn)) et_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
const char *et_errno_name(int e);

/* Where ET_ASSERT and ET_SKIP return to; set by the runner and fixtures. */
extern jmp_buf *et_jump;
extern int et_in_teardown;

#define ET_EXPECT(cond, ...)						\
	do {								\
		if (!(cond))						\
			et_fail(__FILE__, __LINE__, __VA_ARGS__);	\
	} while (0)

#define ET_ASSERT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			et_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			et_end_case();					\
		}							\
	} while (0)

#define ET_EXPECT_ERRNO(got, want, what)				\
	do {								\
		int et_g_ = (got), et_w_ = (want);			\
		if (et_g_ != et_w_)					\
			et_fail(__FILE__, __LINE__, "%s: %s, expected %s", \
				(what), et_errno_name(et_g_),		\
				et_errno_name(et_w_));			\
	} while (0)

#define ET_ASSERT_ERRNO(got, want, what)				\
	do {								\
		int et_g_ = (got), et_w_ = (want);			\
		if (et_g_ != et_w_) {					\
			et_fail(__FILE__, __LINE__, "%s: %s, expected %s", \
				(what), et_errno_name(et_g_),		\
				et_errno_name(et_w_));			\
			et_end_case();					\
		}							\
	} while (0)

#define ET_SKIP(...) et_skip(__VA_ARGS__)

#define ET_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ET_UNUSED_ __attribute__((unused))

/* ---- registration ---------------------------------------------------------- */

#define ET_ENTRY_(id, nm, rws, rsz, cnt)				\
	static void et_fn_##id(const void *row);			\
	static struct et_case et_case_##id = {				\
		.name = nm, .file = __FILE__, .line = __LINE__,		\
		.fn = et_fn_##id, .rows = rws, .rowsz = rsz, .n = cnt,	\
		.timeout = ET_DEFAULT_TIMEOUT,				\
	};								\
	__attribute__((constructor)) static void et_reg_##id(void)	\
	{								\
		et_register(&et_case_##id);				\
	}

#define ET_TEST_N(name, count)						\
	ET_ENTRY_(name, #name, NULL, 0, count)				\
	static void et_body_##name(void);				\
	static void et_fn_##name(const void *row)			\
	{								\
		(void)row;						\
		et_body_##name();					\
	}								\
	static void et_body_##name(void)

#define ET_TEST(name) ET_TEST_N(name, 1)

#define ET_TABLE(name, type, table)					\
	ET_ENTRY_(name, #name, table, sizeof(type), ET_ARRAY_SIZE(table)) \
	static void et_body_##name(const type *row);			\
	static void et_fn_##name(const void *row)			\
	{								\
		et_body_##name(row);					\
	}								\
	static void et_body_##name(ET_UNUSED_ const type *row)

#define ET_PRECONDITION(fn)						\
	__attribute__((constructor)) static void et_pre_##fn(void)	\
	{								\
		et_register_precondition(fn);				\
	}

/* ---- fixtures -------------------------------------------------------------- */

#define ET_FIXTURE(f) struct et_fx_##f
#define ET_SETUP(f) static void et_setup_##f(struct et_fx_##f *self)
#define ET_TEARDOWN(f) static void et_teardown_##f(struct et_fx_##f *self)

/*
 * Setup, the case, teardown.  An ET_ASSERT or ET_SKIP in setup ends the
 * case there; in the case it goes on to the teardown.
 */
#define ET_RUN_F_(f, self, body)					\
	do {								\
		static struct et_fx_##f self;				\
		jmp_buf et_setup_jb_, et_body_jb_;			\
		et_jump = &et_setup_jb_;				\
		if (setjmp(et_setup_jb_) == 0) {			\
			et_setup_##f(&self);				\
			et_jump = &et_body_jb_;				\
			if (setjmp(et_body_jb_) == 0)			\
				body;					\
			et_in_teardown = 1;				\
			et_teardown_##f(&self);				\
		}							\
	} while (0)

#define ET_TEST_N_F(f, name, count)					\
	ET_ENTRY_(name, #name, NULL, 0, count)				\
	static void et_body_##name(struct et_fx_##f *self);		\
	static void et_fn_##name(const void *row)			\
	{								\
		(void)row;						\
		ET_RUN_F_(f, et_self_, et_body_##name(&et_self_));	\
	}								\
	static void et_body_##name(ET_UNUSED_ struct et_fx_##f *self)

#define ET_TEST_F(f, name) ET_TEST_N_F(f, name, 1)

#define ET_TABLE_F(f, name, type, table)				\
	ET_ENTRY_(name, #name, table, sizeof(type), ET_ARRAY_SIZE(table)) \
	static void et_body_##name(struct et_fx_##f *self,		\
				   const type *row);			\
	static void et_fn_##name(const void *row)			\
	{								\
		ET_RUN_F_(f, et_self_, et_body_##name(&et_self_, row));	\
	}								\
	static void et_body_##name(ET_UNUSED_ struct et_fx_##f *self,	\
				   ET_UNUSED_ const type *row)

#endif /* ET_HARNESS_H */
