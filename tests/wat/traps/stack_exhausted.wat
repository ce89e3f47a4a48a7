;; unbounded recursion -> "call stack exhausted"
(module
  (memory (export "memory") 1)
  (func $recurse_forever (param i32) (result i32)
    (i32.add
      (call $recurse_forever (i32.add (local.get 0) (i32.const 1)))
      (i32.const 1)))
  (func $_start (export "_start")
    (drop (call $recurse_forever (i32.const 0)))))
