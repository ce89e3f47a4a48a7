;;! wasm3 = true
;;! target = aarch64-unknown-linux-gnu
;; i32x4.relaxed_laneselect on aarch64: a bitwise select (bsl), as wasmtime.
(module
  (func $laneselect (param v128 v128 v128) (result v128)
    local.get 0
    local.get 1
    local.get 2
    i32x4.relaxed_laneselect))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (laneselect)
;; function u0:0(i64 vmctx, i8x16, i8x16, i8x16) -> i8x16 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i8x16, v2: i8x16, v3: i8x16):
;; @0024                               jump block1
;;
;;                                 block1:
;; @0021                               v5 = bitcast.i32x4 little v3
;; @0021                               v7 = bitcast.i32x4 little v1
;; @0021                               v6 = bitcast.i32x4 little v2
;; @0021                               v8 = bitselect v5, v7, v6
;; @0021                               v9 = bitcast.i8x16 little v8
;; @0024                               return v9
;; }
;; ;; machine code
;;   stp fp, lr, [sp, #-16]!
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   mov fp, sp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   b label1
;; block1:
;;   mov v6.16b, v0.16b
;;   mov v0.16b, v2.16b
;;   bsl v0.16b, v0.16b, v6.16b, v1.16b
;;   ldp fp, lr, [sp], #16
;;   ret
