// RUN: xdsl-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Plain `xdsl-opt` runs focus's verifiers too (one error per dialect; the full lists are in
// test_lit/dialects/*_invalid.mlir).

chip.device @d mesh 2 x 2 memory [<2, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.0e+00 : f64, dram_latency = 20 : i64}
// CHECK: 'chip.device' memory PE <2, 0> is outside the 2x2 mesh

// -----

func.func @f(%x : tensor<4x4xi8>) {
  %y = tensor_op.layer @relu kind "relu" model "m" cores 1 problem <"I=4 J=4 | A[I][J] Out[I][J]*"> bind ["A"] (%x) : (tensor<4x4xi8>) -> tensor<4x4xi8>
  func.return
}
// CHECK: 'tensor_op.layer' @relu kind 'relu' is not one of conv2d, depthwise, matmul, add, concat, pool, einsum

// -----

%t = tiled_subop.source @l.src.A layer @l space "A" iterations 0 cycles 0 memory -> !tiled_subop.stream<"A", 4, 1>
// CHECK: 'tiled_subop.source' @l.src.A iterations (0) must be at least 1

// -----

chip.device @d mesh 2 x 2 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.0e+00 : f64, dram_latency = 20 : i64}
%t = placed_subop.source @l.src.A layer @l space "A" iterations 1 cycles 0 on <1, 1> memory -> !tiled_subop.stream<"A", 4, 1>
// CHECK: 'placed_subop.source' @l.src.A reads off-chip memory but <1, 1> is not a memory PE of the device

// -----

chip.device @d mesh 2 x 2 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.0e+00 : f64, dram_latency = 20 : i64}
%t = placed_subop.source @l.src.A layer @l space "A" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"A", 4, 1>
routed_message.message @l.A %t from <0, 0> to [<1, 0>, <1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"A", 4, 1>
// CHECK: 'routed_message.message' @l.A lists destination <1, 0> twice

// -----

chip.device @d mesh 2 x 2 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.0e+00 : f64, dram_latency = 20 : i64}
pe_isa.program on <1, 1> {
  pe_isa.block "w" {
    pe_isa.mem_write bytes 4
  }
}
// CHECK: 'pe_isa.mem_write' on <1, 1>, which is not a memory PE of the device
