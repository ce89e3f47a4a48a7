;; table.fill past the end of the table -> "undefined element: out of bounds table access"
(module
  (memory (export "memory") 1)
  (table $t 4 funcref)
  (func $fill_table_too_much
    (table.fill $t (i32.const 2) (ref.null func) (i32.const 3)))
  (func $_start (export "_start")
    call $fill_table_too_much))
