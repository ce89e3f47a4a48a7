// C++ exceptions compiled to Wasm 3.0 exception handling (try_table, throw, throw_ref):
// throws across several frames, destructors during unwinding, handlers matched by base
// class, rethrow, catch(...), throws through function pointers and virtual calls, nested
// try blocks, many throws in a loop; and (run modes `uncaught`, `terminate`) an exception
// nothing catches, and one that leaves a noexcept function.
//
// Built by the e2e runner (tests/harness/src/cache.rs, zig_cxx_exceptions) with libc++abi's
// exception runtime compiled for wasm; every line it prints is checked (expected.json).

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

static int live_guards = 0;

// Prints when it is destroyed (unless its name is null), so the output shows which frames
// were unwound, in order; counts the live ones.
struct Guard {
    const char *name;
    explicit Guard(const char *n) : name(n) { live_guards++; }
    ~Guard() {
        live_guards--;
        if (name) std::printf("  ~Guard %s\n", name);
    }
};

struct AppError : std::runtime_error {
    int code;
    AppError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
};

struct Other {
    int value;
};

// --- 1. across several frames, destructors on the way ---------------------------------

static int level3(int x) {
    Guard g("level3");
    if (x > 2) throw std::runtime_error("level3: x=" + std::to_string(x));
    return x * 10;
}
static int level2(int x) {
    Guard g("level2");
    return level3(x) + 1;
}
static int level1(int x) {
    Guard g("level1");
    // A handler that does not match: the exception goes on to main's.
    try {
        return level2(x);
    } catch (const std::logic_error &e) {
        std::printf("  wrong handler: %s\n", e.what());
        return -1;
    }
}

static void frames() {
    std::printf("[frames]\n");
    for (int i = 1; i <= 4; i++) {
        try {
            std::printf("  level1(%d) = %d\n", i, level1(i));
        } catch (const std::exception &e) {  // catch by base class
            std::printf("  caught std::exception: %s\n", e.what());
        }
    }
}

// --- 2. derived types, selection among several handlers ------------------------------

static void throw_kind(int kind) {
    Guard g("throw_kind");
    switch (kind) {
    case 0: throw AppError("app failure", 42);
    case 1: throw std::out_of_range("index 7");
    case 2: throw Other{99};
    case 3: throw 3.5;
    case 4: throw "a C string";
    default: std::printf("  no throw\n");
    }
}

static void handlers() {
    std::printf("[handlers]\n");
    for (int kind = 0; kind <= 5; kind++) {
        try {
            throw_kind(kind);
        } catch (const AppError &e) {
            std::printf("  AppError %s code=%d\n", e.what(), e.code);
        } catch (const std::logic_error &e) {
            std::printf("  logic_error %s\n", e.what());
        } catch (const Other &o) {
            std::printf("  Other %d\n", o.value);
        } catch (double d) {
            std::printf("  double %.1f\n", d);
        } catch (...) {
            std::printf("  catch(...) for kind %d\n", kind);
        }
    }
}

// --- 3. rethrow ------------------------------------------------------------------------

static void rethrower() {
    Guard g("rethrower");
    try {
        throw AppError("first", 1);
    } catch (AppError &e) {
        std::printf("  rethrower saw %s, adds 100\n", e.what());
        e.code += 100;
        throw;  // the same object goes on
    }
}

static void catch_all_rethrow() {
    try {
        rethrower();
    } catch (...) {
        std::printf("  catch(...) rethrows\n");
        throw;
    }
}

static void rethrow() {
    std::printf("[rethrow]\n");
    try {
        catch_all_rethrow();
    } catch (const AppError &e) {
        std::printf("  outer AppError %s code=%d\n", e.what(), e.code);
    }
    // std::exception_ptr: rethrow_exception outside the handler.
    std::exception_ptr saved;
    try {
        throw std::invalid_argument("saved for later");
    } catch (...) {
        saved = std::current_exception();
    }
    try {
        std::rethrow_exception(saved);
    } catch (const std::invalid_argument &e) {
        std::printf("  rethrow_exception: %s\n", e.what());
    }
}

// --- 4. through function pointers and virtual calls ----------------------------------

struct Shape {
    virtual ~Shape() {}
    virtual int area() const = 0;
};
struct Square : Shape {
    int side;
    explicit Square(int s) : side(s) {}
    int area() const override {
        if (side < 0) throw std::domain_error("negative side " + std::to_string(side));
        return side * side;
    }
};

static int call_area(const Shape &s) {
    Guard g("call_area");
    return s.area();
}

static int fails(int x) { throw AppError("through a pointer", x); }
static int doubles(int x) { return 2 * x; }

static void indirect() {
    std::printf("[indirect]\n");
    int (*table[])(int) = {doubles, fails, doubles};
    for (int i = 0; i < 3; i++) {
        try {
            std::printf("  table[%d](%d) = %d\n", i, i + 5, table[i](i + 5));
        } catch (const AppError &e) {
            std::printf("  table[%d]: %s %d\n", i, e.what(), e.code);
        }
    }
    Square good(3), bad(-2);
    const Shape *shapes[] = {&good, &bad};
    for (const Shape *s : shapes) {
        try {
            std::printf("  area %d\n", call_area(*s));
        } catch (const std::logic_error &e) {
            std::printf("  virtual call threw: %s\n", e.what());
        }
    }
}

// --- 5. nested try blocks, a throw from a handler -------------------------------------

static void nested() {
    std::printf("[nested]\n");
    try {
        Guard outer("outer");
        try {
            Guard inner("inner");
            try {
                throw Other{1};
            } catch (const Other &o) {
                std::printf("  innermost caught Other %d, throws AppError\n", o.value);
                throw AppError("from a handler", 2);
            }
        } catch (const Other &) {
            std::printf("  wrong: Other again\n");
        } catch (const AppError &e) {
            std::printf("  middle caught %s, throws int\n", e.what());
            throw 7;
        }
    } catch (int v) {
        std::printf("  outer caught int %d\n", v);
    }
}

// --- 6. many throws (no leak, no growth of anything that crashes) ----------------------

static __attribute__((noinline)) int maybe_throw(int i) {
    if (i % 3 != 0) throw i;
    return i;
}

static void loop() {
    std::printf("[loop]\n");
    long caught = 0, returned = 0;
    for (int i = 0; i < 10000; i++) {
        try {
            returned += maybe_throw(i);
        } catch (int v) {
            caught += v;
        }
    }
    std::printf("  caught sum %ld, returned sum %ld\n", caught, returned);
    int strings = 0;
    for (int i = 0; i < 10000; i++) {
        try {
            Guard quiet(nullptr);
            throw std::runtime_error(std::string(64, 'x'));
        } catch (const std::runtime_error &e) {
            strings += std::strlen(e.what()) == 64;
        }
    }
    std::printf("  %d runtime_errors with 64-byte messages\n", strings);
}

// --- 7. no handler at all ------------------------------------------------------------
//
// Wasm exception handling unwinds in one phase: every frame's cleanups run as the exception
// passes (unlike a native two-phase unwinder, which finds no handler and terminates first),
// and an exception that leaves `_start` ends the program the way the engine ends it
// (wasmtime: "thrown Wasm exception", exit status 1). stdout is unbuffered in these modes so
// that what the cleanups print is not lost with the buffer.

static void uncaught() {
    Guard g("uncaught");
    std::printf("[uncaught] throwing with no handler\n");
    throw AppError("nobody catches this", 13);
}

static __attribute__((noinline)) void throws() { throw AppError("escapes noexcept", 14); }

// An exception leaving a noexcept function calls std::terminate, which prints
// "libc++abi: terminating" and aborts (wasm's `unreachable`: a trap).
static void must_not_throw() noexcept {
    Guard g("must_not_throw");
    std::printf("[terminate] throwing out of a noexcept function\n");
    throws();
}

int main(int argc, char **argv) {
    if (argc > 1) {
        std::setvbuf(stdout, nullptr, _IONBF, 0);
        if (std::strcmp(argv[1], "uncaught") == 0) uncaught();
        if (std::strcmp(argv[1], "terminate") == 0) must_not_throw();
        std::printf("not reached\n");
        return 0;
    }
    frames();
    handlers();
    rethrow();
    indirect();
    nested();
    loop();
    std::printf("live guards: %d\n", live_guards);
    return 0;
}
