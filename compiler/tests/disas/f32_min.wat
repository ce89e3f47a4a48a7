;; f32.min: NaN propagation and -0 < +0, which x86's minss does not give by itself.
(module
  (func $min (param f32 f32) (result f32)
    local.get 0
    local.get 1
    f32.min))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (min)
;; function u0:0(i64 vmctx, f32, f32) -> f32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: f32, v2: f32):
;; @001f                               jump block1
;;
;;                                 block1:
;; @001e                               v4 = fmin.f32 v1, v2
;; @001f                               return v4
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   jmp     label1
;; block1:
;;   movdqa %xmm0, %xmm5
;;   movdqa %xmm1, %xmm0
;;   xmm min seq f32 %xmm5, %xmm0, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
