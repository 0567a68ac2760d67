// RUN: FOCUS_ROUNDTRIP
// RUN: FOCUS_GENERIC_ROUNDTRIP

// conv1 (C=3 M=4 R=S=3 P=Q=6) split over 2 workers along M: Weights multicast once, Inputs streamed in
// 6 row bands to both workers; dw1 reads conv1's sink (a producer source) and reduces partial sums.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1 {mapping = "M2 | P6 C3 R3 S3 Q6"}
%w:2 = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
%i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o0 = tiled_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 (%w#0, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o1 = tiled_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 (%w#1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%a = tiled_subop.sink @conv1.sink layer @conv1 (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
tiled_subop.layer @dw1 kind "depthwise" model "m" workers 1 cycles 12 macs 144 batch 1
%p = tiled_subop.source @dw1.src.Inputs layer @dw1 space "Inputs" iterations 1 cycles 0 from %a : tensor<1x4x6x6xi8> -> !tiled_subop.stream<"Inputs", 144, 1>
%q = tiled_subop.worker @dw1.w0 layer @dw1 index 0 iterations 3 cycles 4 macs 144 buffer 192 (%p : !tiled_subop.stream<"Inputs", 144, 1>) -> !tiled_subop.stream<"Outputs", 48, 3>
%b = tiled_subop.sink @dw1.sink layer @dw1 reduce writeback (%q : !tiled_subop.stream<"Outputs", 48, 3>) -> tensor<1x4x6x6xi8>

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}
// CHECK-NEXT:   tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1 {mapping = "M2 | P6 C3 R3 S3 Q6"}
// CHECK-NEXT:   %w, %w_1 = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
// CHECK-NEXT:   %i = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   %o0 = tiled_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   %o1 = tiled_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 (%w_1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   %a = tiled_subop.sink @conv1.sink layer @conv1 (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   tiled_subop.layer @dw1 kind "depthwise" model "m" workers 1 cycles 12 macs 144 batch 1
// CHECK-NEXT:   %p = tiled_subop.source @dw1.src.Inputs layer @dw1 space "Inputs" iterations 1 cycles 0 from %a : tensor<1x4x6x6xi8> -> !tiled_subop.stream<"Inputs", 144, 1>
// CHECK-NEXT:   %q = tiled_subop.worker @dw1.w0 layer @dw1 index 0 iterations 3 cycles 4 macs 144 buffer 192 (%p : !tiled_subop.stream<"Inputs", 144, 1>) -> !tiled_subop.stream<"Outputs", 48, 3>
// CHECK-NEXT:   %b = tiled_subop.sink @dw1.sink layer @dw1 reduce writeback (%q : !tiled_subop.stream<"Outputs", 48, 3>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 4 : i64, height = 4 : i64, memory_pes = #chip.pes[<0, 0>], link_bits = 512 : i64, flit_bits = 512 : i64, macs_per_cycle = 256 : i64, word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}> : () -> ()
// GENERIC-NEXT:   "tiled_subop.layer"() <{sym_name = "conv1", kind = "conv2d", model = "m", workers = 2 : i64, cycles = 48 : i64, macs = 3888 : i64, batch = 1 : i64, mapping = "M2 | P6 C3 R3 S3 Q6"}> : () -> ()
// GENERIC-NEXT:   %w, %w_1 = "tiled_subop.source"() <{sym_name = "conv1.src.Weights", layer = @conv1, space = "Weights", iterations = 1 : i64, cycles = 0 : i64, memory}> : () -> (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>)
// GENERIC-NEXT:   %i = "tiled_subop.source"() <{sym_name = "conv1.src.Inputs", layer = @conv1, space = "Inputs", iterations = 6 : i64, cycles = 0 : i64, memory}> : () -> !tiled_subop.stream<"Inputs", 72, 6>
// GENERIC-NEXT:   %o0 = "tiled_subop.worker"(%w, %i) <{sym_name = "conv1.w0", layer = @conv1, index = 0 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 1944 : i64, buffer = 198 : i64}> : (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// GENERIC-NEXT:   %o1 = "tiled_subop.worker"(%w_1, %i) <{sym_name = "conv1.w1", layer = @conv1, index = 1 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 1944 : i64, buffer = 198 : i64}> : (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// GENERIC-NEXT:   %a = "tiled_subop.sink"(%o0, %o1) <{sym_name = "conv1.sink", layer = @conv1}> : (!tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   "tiled_subop.layer"() <{sym_name = "dw1", kind = "depthwise", model = "m", workers = 1 : i64, cycles = 12 : i64, macs = 144 : i64, batch = 1 : i64}> : () -> ()
// GENERIC-NEXT:   %p = "tiled_subop.source"(%a) <{sym_name = "dw1.src.Inputs", layer = @dw1, space = "Inputs", iterations = 1 : i64, cycles = 0 : i64}> : (tensor<1x4x6x6xi8>) -> !tiled_subop.stream<"Inputs", 144, 1>
// GENERIC-NEXT:   %q = "tiled_subop.worker"(%p) <{sym_name = "dw1.w0", layer = @dw1, index = 0 : i64, iterations = 3 : i64, cycles = 4 : i64, macs = 144 : i64, buffer = 192 : i64}> : (!tiled_subop.stream<"Inputs", 144, 1>) -> !tiled_subop.stream<"Outputs", 48, 3>
// GENERIC-NEXT:   %b = "tiled_subop.sink"(%q) <{sym_name = "dw1.sink", layer = @dw1, reduce, writeback}> : (!tiled_subop.stream<"Outputs", 48, 3>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT: }) : () -> ()

// -----

// Batch 2, a worker that only produces (no operand streams) and a sink that neither reduces nor writes back.
chip.device @d mesh 2 x 1 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.0e+00 : f64, dram_latency = 20 : i64}
tiled_subop.layer @gen kind "einsum" model "g" workers 1 cycles 0 macs 0 batch 2
%g = tiled_subop.worker @gen.w0 layer @gen index 0 iterations 2 cycles 0 macs 0 buffer 0 -> !tiled_subop.stream<"Out", 8, 2>
%t = tiled_subop.sink @gen.sink layer @gen (%g : !tiled_subop.stream<"Out", 8, 2>) -> tensor<4x4xi8>

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 2 x 1 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.000000e+00 : f64, dram_latency = 20 : i64}
// CHECK-NEXT:   tiled_subop.layer @gen kind "einsum" model "g" workers 1 cycles 0 macs 0 batch 2
// CHECK-NEXT:   %g = tiled_subop.worker @gen.w0 layer @gen index 0 iterations 2 cycles 0 macs 0 buffer 0 -> !tiled_subop.stream<"Out", 8, 2>
// CHECK-NEXT:   %t = tiled_subop.sink @gen.sink layer @gen (%g : !tiled_subop.stream<"Out", 8, 2>) -> tensor<4x4xi8>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 2 : i64, height = 1 : i64, memory_pes = #chip.pes[<0, 0>], link_bits = 64 : i64, flit_bits = 64 : i64, macs_per_cycle = 16 : i64, word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.000000e+00 : f64, dram_latency = 20 : i64}> : () -> ()
// GENERIC-NEXT:   "tiled_subop.layer"() <{sym_name = "gen", kind = "einsum", model = "g", workers = 1 : i64, cycles = 0 : i64, macs = 0 : i64, batch = 2 : i64}> : () -> ()
// GENERIC-NEXT:   %g = "tiled_subop.worker"() <{sym_name = "gen.w0", layer = @gen, index = 0 : i64, iterations = 2 : i64, cycles = 0 : i64, macs = 0 : i64, buffer = 0 : i64}> : () -> !tiled_subop.stream<"Out", 8, 2>
// GENERIC-NEXT:   %t = "tiled_subop.sink"(%g) <{sym_name = "gen.sink", layer = @gen}> : (!tiled_subop.stream<"Out", 8, 2>) -> tensor<4x4xi8>
// GENERIC-NEXT: }) : () -> ()
