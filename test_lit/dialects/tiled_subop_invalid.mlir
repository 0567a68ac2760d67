// RUN: focus-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every tiled_subop verifier message (layer, source, worker, sink, the stream type).

// A layer with no worker.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv2 kind "conv2d" model "m" workers 0 cycles 48 macs 3888 batch 1
// CHECK: 'tiled_subop.layer' @conv2 workers (0) must be at least 1

// -----

// A layer run for zero inferences.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv3 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 0
// CHECK: 'tiled_subop.layer' @conv3 batch (0) must be at least 1

// -----

// Negative compute cycles.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv4 kind "conv2d" model "m" workers 2 cycles -1 macs 3888 batch 1
// CHECK: 'tiled_subop.layer' @conv4 cycles and macs must be >= 0

// -----

// Negative MACs.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv5 kind "conv2d" model "m" workers 2 cycles 48 macs -3888 batch 1
// CHECK: 'tiled_subop.layer' @conv5 cycles and macs must be >= 0

// -----

// A source that never streams.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w = tiled_subop.source @conv1.src.Bias layer @conv1 space "Bias" iterations 0 cycles 0 memory -> !tiled_subop.stream<"Bias", 4, 1>
// CHECK: 'tiled_subop.source' @conv1.src.Bias iterations (0) must be at least 1

// -----

// A source reading neither memory nor a producer.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 -> !tiled_subop.stream<"Weights", 54, 1>
// CHECK: 'tiled_subop.source' @conv1.src.Weights must read either memory or a producer tensor, not both or neither

// -----

// A source reading both memory and a producer.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%t = "test.op"() : () -> tensor<1x3x8x8xi8>
%i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory from %t : tensor<1x3x8x8xi8> -> !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'tiled_subop.source' @conv1.src.Inputs must read either memory or a producer tensor, not both or neither

// -----

// A source whose result streams another data space.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w:2 = tiled_subop.source @conv1.src.W layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'tiled_subop.source' @conv1.src.W streams space 'Weights' but a result is a 'Inputs' stream

// -----

// A worker with zero iterations.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>
%i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o = tiled_subop.worker @conv1.w9 layer @conv1 index 0 iterations 0 cycles 8 macs 1944 buffer 198 (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK: 'tiled_subop.worker' @conv1.w9 iterations (0) must be at least 1

// -----

// A negative worker index.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>
%i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o = tiled_subop.worker @conv1.wneg layer @conv1 index -1 iterations 6 cycles 8 macs 1944 buffer 198 (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK: 'tiled_subop.worker' @conv1.wneg index (-1) must be >= 0

// -----

// Operand stream 1 (Inputs, 6 transfers) against 4 iterations: neither divides the other.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>
%i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o = tiled_subop.worker @conv1.w4 layer @conv1 index 0 iterations 4 cycles 8 macs 1944 buffer 198 (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK: 'tiled_subop.worker' @conv1.w4 stream 1 has 6 transfers, which neither divides nor is a multiple of its 4 iterations

// -----

// Result stream (numbered after the operands) with 4 transfers against 6 iterations.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>
%i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o = tiled_subop.worker @conv1.w5 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 18, 4>
// CHECK: 'tiled_subop.worker' @conv1.w5 stream 2 has 4 transfers, which neither divides nor is a multiple of its 6 iterations

// -----

// A sink that gathers nothing.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%a = tiled_subop.sink @conv1.sink layer @conv1 writeback ( : ) -> tensor<1x4x6x6xi8>
// CHECK: 'tiled_subop.sink' @conv1.sink gathers no streams

// -----

// A stream with empty transfers.
"test.op"() : () -> !tiled_subop.stream<"Weights", 0, 4>
// CHECK: 'tiled_subop.stream' needs words >= 1 and transfers >= 1, got 0 and 4

// -----

// A stream with no transfer.
"test.op"() : () -> !tiled_subop.stream<"Inputs", 72, 0>
// CHECK: 'tiled_subop.stream' needs words >= 1 and transfers >= 1, got 72 and 0

// -----

// Negative words.
"test.op"() : () -> !tiled_subop.stream<"Outputs", -3, 6>
// CHECK: 'tiled_subop.stream' needs words >= 1 and transfers >= 1, got -3 and 6
