;; table.get past the end of the table -> "undefined element: out of bounds table access"
(module
  (memory (export "memory") 1)
  (table $t 2 funcref)
  (func $get_past_table (param i32) (result funcref)
    (table.get $t (local.get 0)))
  (func $_start (export "_start")
    (drop (call $get_past_table (i32.const 5)))))
