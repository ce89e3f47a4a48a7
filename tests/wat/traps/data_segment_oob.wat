;; memory.init beyond the passive segment -> "out of bounds memory access"
(module
  (memory (export "memory") 1)
  (data $seg "hello")
  (func $init_past_segment
    (memory.init $seg (i32.const 0) (i32.const 2) (i32.const 10)))
  (func $_start (export "_start")
    call $init_past_segment))
