;; br_table with three targets and a default.
(module
  (func $switch (param i32) (result i32)
    block $d
      block $c
        block $b
          block $a
            local.get 0
            br_table $a $b $c $d
          end
          i32.const 10
          return
        end
        i32.const 20
        return
      end
      i32.const 30
      return
    end
    i32.const 40))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (switch)
;; function u0:0(i64 vmctx, i32) -> i32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0023                               br_table v1, block2, [block5, block4, block3]
;;
;;                                 block5:
;; @002a                               v3 = iconst.i32 10
;; @002c                               return v3  ; v3 = 10
;;
;;                                 block4:
;; @002e                               v4 = iconst.i32 20
;; @0030                               return v4  ; v4 = 20
;;
;;                                 block3:
;; @0032                               v5 = iconst.i32 30
;; @0034                               return v5  ; v5 = 30
;;
;;                                 block2:
;; @0038                               jump block1
;;
;;                                 block1:
;; @0036                               v6 = iconst.i32 40
;; @0038                               return v6  ; v6 = 40
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   movl $0x3, %r8d
;;   movl %esi, %r9d
;;   cmpl %r8d, %r9d
;;   cmovbl %r9d, %r8d
;;   br_table %r8, %rcx, %rax
;; block1:
;;   movl $0x1e, %eax
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;; block2:
;;   movl $0x14, %eax
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;; block3:
;;   movl $0xa, %eax
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;; block4:
;;   jmp     label5
;; block5:
;;   movl $0x28, %eax
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
