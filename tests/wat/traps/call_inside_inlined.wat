;; a trap below a small function the compiler inlines into its caller -> "integer divide by zero"
;; backtrace: divide small_caller _start
(module
  (memory (export "memory") 1)
  ;; Not inlined (a division traps out of line), so it stays a call inside the inlined
  ;; `small_caller`; the backtrace must still show `small_caller` between the two.
  (func $divide (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_u)
  (func $small_caller (param i32) (result i32)
    local.get 0
    i32.const 0
    call $divide)
  (func $_start (export "_start")
    (drop (call $small_caller (i32.const 7)))))
