/* The host function module B imports, compiled into B's static library by
 * `wasmaot other.wat --emit staticlib --link other_host.c`: the host program that links the
 * library does not define it. */
#include "wasmaot.h"

int32_t wasmaot_import_env__other_tag(wasmaot_caller *caller) { return 0xB; }
