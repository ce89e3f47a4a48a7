;; An exception no handler catches ends the program as `wasmtime run` ends it: exit status 1
;; and "thrown Wasm exception" on stderr, after what the program wrote before the throw. The
;; exception passes through a `try_table` whose clause does not match, and a `catch_ref` +
;; `throw_ref` that rethrows it.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "before\n")
  (tag $mine (param i32))
  (tag $other)
  (func $thrower (param i32) (throw $mine (local.get 0)))
  (func $rethrower (param i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $mine $h) (call $thrower (local.get 0)))
      (return))
    (throw_ref)
    (drop))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (block $h
      (try_table (catch $other $h)
        (call $rethrower (i32.const 3))))))
