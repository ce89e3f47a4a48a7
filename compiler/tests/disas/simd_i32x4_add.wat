;; v128 values are I8X16 in CLIF: i32x4.add views its operands as I32X4 and back.
(module
  (func $add (param v128 v128) (result v128)
    local.get 0
    local.get 1
    i32x4.add))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (add)
;; function u0:0(i64 vmctx, i8x16, i8x16) -> i8x16 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i8x16, v2: i8x16):
;; @0021                               jump block1
;;
;;                                 block1:
;; @001e                               v5 = bitcast.i32x4 little v1
;; @001e                               v4 = bitcast.i32x4 little v2
;; @001e                               v6 = iadd v5, v4
;; @001e                               v7 = bitcast.i8x16 little v6
;; @0021                               return v7
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   jmp     label1
;; block1:
;;   paddd %xmm1, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
