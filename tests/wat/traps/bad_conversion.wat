;; i32.trunc_f32_s of NaN -> "invalid conversion to integer"
(module
  (memory (export "memory") 1)
  (func $truncate_nan (param f32) (result i32)
    local.get 0
    i32.trunc_f32_s)
  (func $_start (export "_start")
    (drop (call $truncate_nan (f32.const nan)))))
