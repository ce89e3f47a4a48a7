/*
 * wasmaot.h: the C API of wasmaot's embedding runtime, shared by every module compiled with
 * `wasmaot --emit staticlib` (each module's own header, e.g. `app.h`, includes this one and adds
 * the module's typed functions). Written by `wasmaot header -o wasmaot.h`. docs/EMBEDDING.md
 * explains it in full.
 *
 * Ownership: every object a `_new` function returns is the caller's, freed with its `_free`
 * function. Errors come back through a `wasmaot_error **err` out-parameter (it may be NULL when
 * the caller does not want the error); functions returning `int` return 0 on success.
 *
 * Threads: configurations and instances may be created, used and freed on any thread. One
 * instance must not be used by two threads at the same time; different instances (of one
 * module or of different modules) may run concurrently on different threads. Host functions
 * run on the thread that called into the instance.
 */
#ifndef WASMAOT_H
#define WASMAOT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this API; also the runtime ABI version compiled modules are checked against. */
#define WASMAOT_ABI_VERSION 10

typedef struct wasmaot_config wasmaot_config;
typedef struct wasmaot_instance wasmaot_instance;
typedef struct wasmaot_error wasmaot_error;
/* The calling instance, as host functions see it (valid only during the host call). */
typedef struct wasmaot_caller wasmaot_caller;
/* A compiled module's descriptor (`PREFIX_module` in the module's header). */
typedef struct wasmaot_module wasmaot_module;

/* One 16-byte value slot of the generic call interface (`wasmaot_instance_call`). */
typedef union wasmaot_val {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t bytes[16];
} wasmaot_val;

/* ---- Configuration: what the guest sees (args, environment, directories, stdio). ---- */

wasmaot_config *wasmaot_config_new(void);
void wasmaot_config_free(wasmaot_config *cfg);
/* Appends one argument; the first is the guest's argv[0]. */
void wasmaot_config_arg(wasmaot_config *cfg, const char *arg);
/* Sets one environment variable (later entries for the same name win). */
void wasmaot_config_env(wasmaot_config *cfg, const char *name, const char *value);
/* Passes the host process's environment (variables set with wasmaot_config_env win). */
void wasmaot_config_inherit_env(wasmaot_config *cfg);
/* Grants the host directory `host` to the guest under the name `guest`, with the sandbox of
 * `wasmaot --dir`. Returns -1 (and changes nothing) when `host` is not a directory that can
 * be opened. */
int wasmaot_config_preopen(wasmaot_config *cfg, const char *host, const char *guest);
/* The guest's fds 0, 1 and 2 are the host process's (by default the guest has none). */
void wasmaot_config_inherit_stdio(wasmaot_config *cfg);
/* The guest's fds 0, 1 and 2 are duplicates of these host fds (-1: the guest has no such
 * stream). Returns -1 when a given fd is not open. */
int wasmaot_config_stdio(wasmaot_config *cfg, int stdin_fd, int stdout_fd, int stderr_fd);
/* An opaque pointer handed to host functions through wasmaot_caller_host_data. */
void wasmaot_config_host_data(wasmaot_config *cfg, void *data);

/* ---- Errors ---- */

enum wasmaot_error_kind {
    WASMAOT_ERROR_INSTANTIATE = 1, /* the module could not be instantiated */
    WASMAOT_ERROR_TRAP = 2,        /* a wasm trap (message and wasm backtrace) */
    WASMAOT_ERROR_EXIT = 3,        /* the guest called proc_exit (see wasmaot_error_exit_status) */
    WASMAOT_ERROR_USAGE = 4,       /* a call the API does not allow (e.g. after a trap) */
    WASMAOT_ERROR_EXCEPTION = 5    /* a wasm exception no handler caught (the instance stays
                                      usable; wasmaot_caller_throw can throw it again) */
};

/* The full message: for a trap `wasm trap: <message>`, then `wasm backtrace:` and one line per
 * frame, as an executable prints it. Valid until the error is freed. */
const char *wasmaot_error_message(const wasmaot_error *err);
int wasmaot_error_kind(const wasmaot_error *err);
/* For a trap, the trap message alone (e.g. `integer divide by zero`); NULL otherwise. */
const char *wasmaot_error_trap_message(const wasmaot_error *err);
/* For WASMAOT_ERROR_EXIT, the guest's exit status; -1 otherwise. */
int wasmaot_error_exit_status(const wasmaot_error *err);
void wasmaot_error_free(wasmaot_error *err);

/* ---- Instances (generic interface; each module's header has typed wrappers) ---- */

/* Instantiates `module` with `cfg` (which may be NULL: no args, env, dirs or stdio; the
 * configuration may be freed afterwards). NULL and an error on failure, never an abort. */
wasmaot_instance *wasmaot_instance_new(const wasmaot_module *module, const wasmaot_config *cfg,
                                       wasmaot_error **err);
void wasmaot_instance_free(wasmaot_instance *inst);
/* Runs the exported `_start`. A normal return or proc_exit both return 0 with the status in
 * *exit_status (0 for a normal return); a trap returns -1 with the error. */
int wasmaot_instance_run(wasmaot_instance *inst, int *exit_status, wasmaot_error **err);
/* Runs the exported `_initialize` of a reactor, if there is one (0 when there is none). */
int wasmaot_instance_initialize(wasmaot_instance *inst, wasmaot_error **err);
/* Calls the exported function `name`: the parameters in values[0..], the results come back in
 * values[0..]; `nvalues` must be at least max(params, results). */
int wasmaot_instance_call(wasmaot_instance *inst, const char *name, wasmaot_val *values,
                          size_t nvalues, wasmaot_error **err);
/* The exported memory `name` (NULL: memory 0); *len gets its current size in bytes. NULL if
 * there is no such memory. The address stays valid while the instance lives; the size may grow
 * during calls into the instance. */
uint8_t *wasmaot_instance_memory(wasmaot_instance *inst, const char *name, size_t *len);
/* Whether the instance can still be called: 0 after a trap or proc_exit. */
int wasmaot_instance_usable(const wasmaot_instance *inst);
/* For generated code: calls function `func_index` of `module` (which must be the instance's). */
int wasmaot_instance_call_func(wasmaot_instance *inst, const wasmaot_module *module,
                               uint32_t func_index, wasmaot_val *values, size_t nvalues,
                               wasmaot_error **err);

/* ---- Host functions ----
 * A module's import `MODULE`.`NAME` of type (params) -> (result) is the C function
 *     RESULT wasmaot_import_<c(MODULE)>__<c(NAME)>(wasmaot_caller *caller, PARAMS...);
 * i32 -> int32_t, i64 -> int64_t, f32 -> float, f64 -> double, no result -> void, where c(s) is
 * s itself when s is a C identifier starting with a letter, with no `__` and not ending in `_`,
 * and `_x` followed by the lowercase hex of its bytes otherwise. `wasmaot --import
 * MODULE::NAME=SYMBOL` picks another symbol. */

/* Memory 0 of the calling instance (NULL and *len = 0 if it has none). */
uint8_t *wasmaot_caller_memory(wasmaot_caller *caller, size_t *len);
/* Ends the current call into wasm with a trap carrying `message` (copied); never returns.
 * The host function's own frames are skipped like a longjmp skips them: free what it holds
 * first. */
void wasmaot_caller_trap(wasmaot_caller *caller, const char *message)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((noreturn))
#endif
    ;
/* Throws the exception `err` carries (a WASMAOT_ERROR_EXCEPTION from a call into wasm made by
 * this host function) into the calling wasm code: when the host function returns (its result
 * is ignored), the wasm caller's `try_table` handlers see it as thrown by the call. Returns 0,
 * or -1 if `err` is not an exception. `err` may be freed afterwards. */
int wasmaot_caller_throw(wasmaot_caller *caller, const wasmaot_error *err);
/* The pointer given to wasmaot_config_host_data for this instance (NULL if none). */
void *wasmaot_caller_host_data(wasmaot_caller *caller);

#ifdef __cplusplus
}
#endif

#endif /* WASMAOT_H */
