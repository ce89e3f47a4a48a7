;; Jump threading through a Go-shaped dispatch loop (the translator's `Dispatch`): a loop
;; whose body starts with `block`s and a `br_table` on the PC param, every edge being
;; `i32.const k; local.set $pc; br $L`. Called with each entry PC (as Go resumes after a
;; goroutine switch), with an out-of-range PC, and with loop trips that mix threaded edges and
;; computed ones. Exits with the number of the first wrong result; prints "ok" otherwise.
;; The same function is in compiler/src/translate/tests.rs (CLIF-level checks).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "ok\n")
  (func $sum (param $pc i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    loop $L
      block $B4
      block $B3
      block $B2
      block $B1
      block $B0
        local.get $pc
        br_table $B0 $B1 $B2 $B3 $B4
      end
      ;; B0: entry; a negative n goes to index 99 (out of range: the default, B4)
      i32.const 0 local.set $i
      i32.const 0 local.set $s
      i32.const 99 local.set $pc
      local.get $n i32.const 0 i32.lt_s
      br_if $L
      i32.const 1 local.set $pc
      br $L
      end
      ;; B1: loop condition
      local.get $i local.get $n i32.lt_s
      if
        i32.const 2 local.set $pc
        br $L
      end
      i32.const 3 local.set $pc
      br $L
      end
      ;; B2: loop body, then back to B1 (already ended: a back edge)
      local.get $i i32.const 1 i32.and
      if
        local.get $s local.get $i i32.const 3 i32.mul i32.xor local.set $s
      else
        local.get $s local.get $i local.get $i i32.mul i32.add local.set $s
      end
      local.get $i i32.const 1 i32.add local.set $i
      i32.const 1 local.set $pc
      local.get $i i32.const 1000 i32.lt_s
      br_if $L
      ;; from i = 1000 on: a computed index (always 1), through the br_table
      local.get $i i32.const 1000 i32.ge_s
      local.set $pc
      br $L
      end
      ;; B3: return
      local.get $s
      return
      end
      ;; B4: add a marker and return through B3
      local.get $s i32.const 1000000 i32.add local.set $s
      i32.const 3 local.set $pc
      br $L
    end
    unreachable)
  (func $main (export "_start")
    (if (i32.ne (call $sum (i32.const 0) (i32.const 0)) (i32.const 0))
      (then (call $proc_exit (i32.const 1))))
    (if (i32.ne (call $sum (i32.const 0) (i32.const 10)) (i32.const 123))
      (then (call $proc_exit (i32.const 2))))
    (if (i32.ne (call $sum (i32.const 0) (i32.const 5000)) (i32.const -653793760))
      (then (call $proc_exit (i32.const 3))))
    (if (i32.ne (call $sum (i32.const 0) (i32.const -5)) (i32.const 1000000))
      (then (call $proc_exit (i32.const 4))))
    (if (i32.ne (call $sum (i32.const 1) (i32.const 10)) (i32.const 123))
      (then (call $proc_exit (i32.const 5))))
    (if (i32.ne (call $sum (i32.const 2) (i32.const 0)) (i32.const 0))
      (then (call $proc_exit (i32.const 6))))
    (if (i32.ne (call $sum (i32.const 2) (i32.const 7)) (i32.const 53))
      (then (call $proc_exit (i32.const 7))))
    (if (i32.ne (call $sum (i32.const 3) (i32.const 10)) (i32.const 0))
      (then (call $proc_exit (i32.const 8))))
    (if (i32.ne (call $sum (i32.const 4) (i32.const 3)) (i32.const 1000000))
      (then (call $proc_exit (i32.const 9))))
    (if (i32.ne (call $sum (i32.const 7) (i32.const 100)) (i32.const 1000000))
      (then (call $proc_exit (i32.const 10))))
    (if (i32.ne (call $sum (i32.const 0) (i32.const 100000)) (i32.const -233641792))
      (then (call $proc_exit (i32.const 11))))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
