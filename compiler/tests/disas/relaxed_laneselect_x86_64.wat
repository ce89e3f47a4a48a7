;;! wasm3 = true
;; i32x4.relaxed_laneselect on x86_64: blendvps (top bit of each mask lane), as wasmtime.
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
;; @0021                               v8 = blendv v5, v7, v6
;; @0021                               v9 = bitcast.i8x16 little v8
;; @0024                               return v9
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   jmp     label1
;; block1:
;;   movdqa %xmm0, %xmm7
;;   movdqa %xmm2, %xmm0
;;   movdqa %xmm1, %xmm5
;;   blendvps %xmm0, %xmm7, %xmm5
;;   movdqa %xmm5, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
