;; 64-bit memory (memory64) above 4 GiB, then a load one byte past its end -> "out of bounds memory access"
;; backtrace: load_past_end _start
;; wasmaot flags: --wasm-version 3.0
(module
  ;; 65537 pages: 4 GiB + 64 KiB, addressable only with i64 addresses.
  (memory (export "memory") i64 65537)
  ;; The static offset alone is 4 GiB: with index 0xfff9 the 8-byte access ends one byte past
  ;; the memory.
  (func $load_past_end (param i64) (result i64)
    local.get 0
    i64.load offset=0x100000000)
  (func $_start (export "_start")
    ;; The last 8 bytes of the memory, stored and read back, by address and by offset.
    (i64.store (i64.const 0x10000fff8) (i64.const 0x0123456789abcdef))
    (if (i64.ne (i64.load (i64.const 0x10000fff8)) (i64.const 0x0123456789abcdef))
      (then unreachable))
    (if (i32.ne (i32.load8_u offset=0x100000000 (i64.const 0xfff8)) (i32.const 0xef))
      (then unreachable))
    (if (i64.ne (call $load_past_end (i64.const 0xfff8)) (i64.const 0x0123456789abcdef))
      (then unreachable))
    ;; Below 4 GiB the memory is zero, and its size is in i64 pages.
    (if (i64.ne (i64.load (i64.const 0xfffffff8)) (i64.const 0))
      (then unreachable))
    (if (i64.ne (memory.size) (i64.const 65537))
      (then unreachable))
    (drop (call $load_past_end (i64.const 0xfff9)))))
