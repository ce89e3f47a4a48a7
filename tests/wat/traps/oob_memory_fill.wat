;; memory.fill past the end of memory -> "out of bounds memory access"
(module
  (memory (export "memory") 1)
  (func $fill_too_much
    (memory.fill (i32.const 65000) (i32.const 7) (i32.const 1000)))
  (func $_start (export "_start")
    call $fill_too_much))
