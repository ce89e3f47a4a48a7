;; load beyond the one-page memory -> "out of bounds memory access"
;; backtrace: load_past_end _start
(module
  (memory (export "memory") 1)
  (func $load_past_end (param i32) (result i32)
    local.get 0
    i32.load)
  (func $_start (export "_start")
    (drop (call $load_past_end (i32.const 65534)))))
