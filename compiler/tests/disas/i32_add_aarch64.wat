;;! target = aarch64-unknown-linux-gnu
;; i32.add on aarch64.
(module
  (func $add (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (add)
;; function u0:0(i64 vmctx, i32, i32) -> i32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i32):
;; @001f                               jump block1
;;
;;                                 block1:
;; @001e                               v4 = iadd.i32 v1, v2
;; @001f                               return v4
;; }
;; ;; machine code
;;   stp fp, lr, [sp, #-16]!
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   mov fp, sp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   b label1
;; block1:
;;   add w0, w1, w2
;;   ldp fp, lr, [sp], #16
;;   ret
