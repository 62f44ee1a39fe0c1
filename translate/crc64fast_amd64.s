//go:build amd64 && !purego

#include "textflag.h"

// func cpuidECX(leaf uint32) uint32
TEXT ·cpuidECX(SB), NOSPLIT, $0-12
	MOVL leaf+0(FP), AX
	XORL CX, CX
	CPUID
	MOVL CX, ret+8(FP)
	RET

// func crc64Fold(k *crc64FoldConsts, raw uint64, p []byte) (lo, hi uint64)
//
// X0..X7 hold eight 16-byte lanes; per 128-byte block each lane is
// multiplied forward by x^1024 (constants k[7]) and xored with the next
// block's lane. At the end lanes 0..6 are folded into lane 7 by
// 128·(7-r) bits (constants k[6-r]). X8 holds the constants, X9 and X10
// are scratch.
TEXT ·crc64Fold(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), DX
	MOVQ raw+8(FP), AX
	MOVQ p_base+16(FP), SI
	MOVQ p_len+24(FP), CX
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVOU 64(SI), X4
	MOVOU 80(SI), X5
	MOVOU 96(SI), X6
	MOVOU 112(SI), X7
	MOVQ  AX, X9
	PXOR  X9, X0
	ADDQ  $128, SI
	SUBQ  $128, CX
	MOVOU 112(DX), X8

loop:
	CMPQ CX, $0
	JEQ  reduce
	MOVOA     X0, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X0
	MOVOU     0(SI), X10
	PXOR      X9, X0
	PXOR      X10, X0
	MOVOA     X1, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X1
	MOVOU     16(SI), X10
	PXOR      X9, X1
	PXOR      X10, X1
	MOVOA     X2, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X2
	MOVOU     32(SI), X10
	PXOR      X9, X2
	PXOR      X10, X2
	MOVOA     X3, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X3
	MOVOU     48(SI), X10
	PXOR      X9, X3
	PXOR      X10, X3
	MOVOA     X4, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X4
	MOVOU     64(SI), X10
	PXOR      X9, X4
	PXOR      X10, X4
	MOVOA     X5, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X5
	MOVOU     80(SI), X10
	PXOR      X9, X5
	PXOR      X10, X5
	MOVOA     X6, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X6
	MOVOU     96(SI), X10
	PXOR      X9, X6
	PXOR      X10, X6
	MOVOA     X7, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X7
	MOVOU     112(SI), X10
	PXOR      X9, X7
	PXOR      X10, X7
	ADDQ $128, SI
	SUBQ $128, CX
	JMP  loop

reduce:
	MOVOU     0(DX), X8
	MOVOA     X6, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X6
	PXOR      X9, X7
	PXOR      X6, X7
	MOVOU     16(DX), X8
	MOVOA     X5, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X5
	PXOR      X9, X7
	PXOR      X5, X7
	MOVOU     32(DX), X8
	MOVOA     X4, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X4
	PXOR      X9, X7
	PXOR      X4, X7
	MOVOU     48(DX), X8
	MOVOA     X3, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X3
	PXOR      X9, X7
	PXOR      X3, X7
	MOVOU     64(DX), X8
	MOVOA     X2, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X2
	PXOR      X9, X7
	PXOR      X2, X7
	MOVOU     80(DX), X8
	MOVOA     X1, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X1
	PXOR      X9, X7
	PXOR      X1, X7
	MOVOU     96(DX), X8
	MOVOA     X0, X9
	PCLMULQDQ $0x00, X8, X9
	PCLMULQDQ $0x11, X8, X0
	PXOR      X9, X7
	PXOR      X0, X7
	MOVQ   X7, lo+40(FP)
	PSRLDQ $8, X7
	MOVQ   X7, hi+48(FP)
	RET
