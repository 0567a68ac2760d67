// RUN: focus-opt %s -p 'placed-subop-check{print=true}' | filecheck %s
// RUN: sed -e 's/index 1 iterations 2 cycles 10 macs 100 buffer 64 on <2, 1>/index 1 iterations 2 cycles 10 macs 100 buffer 64 on <1, 1>/' %s | not focus-opt -p placed-subop-check 2>&1 | filecheck %s --check-prefix=SHARED
// RUN: sed -e 's/iterations 2 cycles 0 on <1, 2> from/iterations 2 cycles 0 on <2, 2> from/' %s | not focus-opt -p placed-subop-check 2>&1 | filecheck %s --check-prefix=PRODUCER

// A placed two-layer module: the weight source on a memory PE, two workers and a sink per layer, the second
// layer's input source on the first layer's sink PE, a write-back sink on a memory PE that may compute.
builtin.module {
  chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, word_bits = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
  placed_subop.layer @l1 kind "conv2d" model "m" workers 2 cycles 20 macs 200 batch 1
  %w = placed_subop.source @l1.src.Weights layer @l1 space "Weights" iterations 2 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 16, 2>
  %o0 = placed_subop.worker @l1.w0 layer @l1 index 0 iterations 2 cycles 10 macs 100 buffer 64 on <1, 1> (%w : !tiled_subop.stream<"Weights", 16, 2>) -> !tiled_subop.stream<"Outputs", 8, 2>
  %o1 = placed_subop.worker @l1.w1 layer @l1 index 1 iterations 2 cycles 10 macs 100 buffer 64 on <2, 1> (%w : !tiled_subop.stream<"Weights", 16, 2>) -> !tiled_subop.stream<"Outputs", 8, 2>
  %t = placed_subop.sink @l1.sink layer @l1 on <1, 2> (%o0, %o1 : !tiled_subop.stream<"Outputs", 8, 2>, !tiled_subop.stream<"Outputs", 8, 2>) -> tensor<1x32xi8>
  placed_subop.layer @l2 kind "matmul" model "m" workers 1 cycles 10 macs 100 batch 1
  %i = placed_subop.source @l2.src.Inputs layer @l2 space "Inputs" iterations 2 cycles 0 on <1, 2> from %t : tensor<1x32xi8> -> !tiled_subop.stream<"Inputs", 16, 2>
  %o2 = placed_subop.worker @l2.w0 layer @l2 index 0 iterations 2 cycles 5 macs 100 buffer 64 on <2, 2> (%i : !tiled_subop.stream<"Inputs", 16, 2>) -> !tiled_subop.stream<"Outputs", 4, 2>
  %r = placed_subop.sink @l2.sink layer @l2 on <3, 3> writeback (%o2 : !tiled_subop.stream<"Outputs", 4, 2>) -> tensor<1x8xi8>
}

// CHECK: placed-subop-check: placed 7 subops on 6 PEs, sources on memory PEs: yes, producer sources with their sinks: yes
// CHECK-SAME: writeback sinks on memory PEs: yes
// CHECK-SAME: max compute groups per PE: 1 (limit 1), time-shared PEs: 0
// CHECK: placed_subop.layer @l1

// SHARED: focus-opt: error: placed-subop-check:
// SHARED-SAME: <1, 1>

// PRODUCER: focus-opt: error: placed-subop-check:
// PRODUCER-SAME: l2.src.Inputs
