// RUN: FOCUS_ROUNDTRIP
// RUN: FOCUS_GENERIC_ROUNDTRIP

// The tiled conv1 -> dw1 graph placed on a 4x4 mesh: memory sources on the memory PEs <0, 0> and <3, 3>,
// conv1's workers on <1, 0> and <1, 1>, its sink on <2, 0>; dw1's producer source shares the sink's PE.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
placed_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1 {mapping = "M2 | P6 C3 R3 S3 Q6"}
%w:2 = placed_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <3, 3> memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o0 = placed_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 0> (%w#0, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o1 = placed_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 1> (%w#1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%a = placed_subop.sink @conv1.sink layer @conv1 on <2, 0> (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
placed_subop.layer @dw1 kind "depthwise" model "m" workers 1 cycles 12 macs 144 batch 1
%p = placed_subop.source @dw1.src.Inputs layer @dw1 space "Inputs" iterations 1 cycles 0 on <2, 0> from %a : tensor<1x4x6x6xi8> -> !tiled_subop.stream<"Inputs", 144, 1>
%q = placed_subop.worker @dw1.w0 layer @dw1 index 0 iterations 3 cycles 4 macs 144 buffer 192 on <2, 1> (%p : !tiled_subop.stream<"Inputs", 144, 1>) -> !tiled_subop.stream<"Outputs", 48, 3>
%b = placed_subop.sink @dw1.sink layer @dw1 on <3, 3> reduce writeback (%q : !tiled_subop.stream<"Outputs", 48, 3>) -> tensor<1x4x6x6xi8>

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, memory_compute}
// CHECK-NEXT:   placed_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1 {mapping = "M2 | P6 C3 R3 S3 Q6"}
// CHECK-NEXT:   %w, %w_1 = placed_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
// CHECK-NEXT:   %i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <3, 3> memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   %o0 = placed_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 0> (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   %o1 = placed_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 1> (%w_1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   %a = placed_subop.sink @conv1.sink layer @conv1 on <2, 0> (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   placed_subop.layer @dw1 kind "depthwise" model "m" workers 1 cycles 12 macs 144 batch 1
// CHECK-NEXT:   %p = placed_subop.source @dw1.src.Inputs layer @dw1 space "Inputs" iterations 1 cycles 0 on <2, 0> from %a : tensor<1x4x6x6xi8> -> !tiled_subop.stream<"Inputs", 144, 1>
// CHECK-NEXT:   %q = placed_subop.worker @dw1.w0 layer @dw1 index 0 iterations 3 cycles 4 macs 144 buffer 192 on <2, 1> (%p : !tiled_subop.stream<"Inputs", 144, 1>) -> !tiled_subop.stream<"Outputs", 48, 3>
// CHECK-NEXT:   %b = placed_subop.sink @dw1.sink layer @dw1 on <3, 3> reduce writeback (%q : !tiled_subop.stream<"Outputs", 48, 3>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 4 : i64, height = 4 : i64, memory_pes = #chip.pes[<0, 0>, <3, 3>], link_bits = 512 : i64, flit_bits = 512 : i64, macs_per_cycle = 256 : i64, word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, memory_compute}> : () -> ()
// GENERIC-NEXT:   "placed_subop.layer"() <{sym_name = "conv1", kind = "conv2d", model = "m", workers = 2 : i64, cycles = 48 : i64, macs = 3888 : i64, batch = 1 : i64, mapping = "M2 | P6 C3 R3 S3 Q6"}> : () -> ()
// GENERIC-NEXT:   %w, %w_1 = "placed_subop.source"() <{sym_name = "conv1.src.Weights", layer = @conv1, space = "Weights", iterations = 1 : i64, cycles = 0 : i64, pe = #chip.pe<0, 0>, memory}> : () -> (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>)
// GENERIC-NEXT:   %i = "placed_subop.source"() <{sym_name = "conv1.src.Inputs", layer = @conv1, space = "Inputs", iterations = 6 : i64, cycles = 0 : i64, pe = #chip.pe<3, 3>, memory}> : () -> !tiled_subop.stream<"Inputs", 72, 6>
// GENERIC-NEXT:   %o0 = "placed_subop.worker"(%w, %i) <{sym_name = "conv1.w0", layer = @conv1, index = 0 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 1944 : i64, buffer = 198 : i64, pe = #chip.pe<1, 0>}> : (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// GENERIC-NEXT:   %o1 = "placed_subop.worker"(%w_1, %i) <{sym_name = "conv1.w1", layer = @conv1, index = 1 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 1944 : i64, buffer = 198 : i64, pe = #chip.pe<1, 1>}> : (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// GENERIC-NEXT:   %a = "placed_subop.sink"(%o0, %o1) <{sym_name = "conv1.sink", layer = @conv1, pe = #chip.pe<2, 0>}> : (!tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   "placed_subop.layer"() <{sym_name = "dw1", kind = "depthwise", model = "m", workers = 1 : i64, cycles = 12 : i64, macs = 144 : i64, batch = 1 : i64}> : () -> ()
// GENERIC-NEXT:   %p = "placed_subop.source"(%a) <{sym_name = "dw1.src.Inputs", layer = @dw1, space = "Inputs", iterations = 1 : i64, cycles = 0 : i64, pe = #chip.pe<2, 0>}> : (tensor<1x4x6x6xi8>) -> !tiled_subop.stream<"Inputs", 144, 1>
// GENERIC-NEXT:   %q = "placed_subop.worker"(%p) <{sym_name = "dw1.w0", layer = @dw1, index = 0 : i64, iterations = 3 : i64, cycles = 4 : i64, macs = 144 : i64, buffer = 192 : i64, pe = #chip.pe<2, 1>}> : (!tiled_subop.stream<"Inputs", 144, 1>) -> !tiled_subop.stream<"Outputs", 48, 3>
// GENERIC-NEXT:   %b = "placed_subop.sink"(%q) <{sym_name = "dw1.sink", layer = @dw1, pe = #chip.pe<3, 3>, reduce, writeback}> : (!tiled_subop.stream<"Outputs", 48, 3>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT: }) : () -> ()

// -----

// Batch 2 on a 2x1 mesh; a worker on the memory PE itself (memory_compute) and the sink on the far PE.
chip.device @d mesh 2 x 1 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.0e+00 : f64, dram_latency = 20 : i64, memory_compute}
placed_subop.layer @gen kind "einsum" model "g" workers 1 cycles 4 macs 16 batch 2
%s = placed_subop.source @gen.src.A layer @gen space "A" iterations 2 cycles 1 on <0, 0> memory -> !tiled_subop.stream<"A", 4, 2>
%g = placed_subop.worker @gen.w0 layer @gen index 0 iterations 2 cycles 4 macs 16 buffer 8 on <0, 0> (%s : !tiled_subop.stream<"A", 4, 2>) -> !tiled_subop.stream<"Out", 8, 2>
%t = placed_subop.sink @gen.sink layer @gen on <1, 0> writeback (%g : !tiled_subop.stream<"Out", 8, 2>) -> tensor<4x4xi8>

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 2 x 1 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.000000e+00 : f64, dram_latency = 20 : i64, memory_compute}
// CHECK-NEXT:   placed_subop.layer @gen kind "einsum" model "g" workers 1 cycles 4 macs 16 batch 2
// CHECK-NEXT:   %s = placed_subop.source @gen.src.A layer @gen space "A" iterations 2 cycles 1 on <0, 0> memory -> !tiled_subop.stream<"A", 4, 2>
// CHECK-NEXT:   %g = placed_subop.worker @gen.w0 layer @gen index 0 iterations 2 cycles 4 macs 16 buffer 8 on <0, 0> (%s : !tiled_subop.stream<"A", 4, 2>) -> !tiled_subop.stream<"Out", 8, 2>
// CHECK-NEXT:   %t = placed_subop.sink @gen.sink layer @gen on <1, 0> writeback (%g : !tiled_subop.stream<"Out", 8, 2>) -> tensor<4x4xi8>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 2 : i64, height = 1 : i64, memory_pes = #chip.pes[<0, 0>], link_bits = 64 : i64, flit_bits = 64 : i64, macs_per_cycle = 16 : i64, word_bits = 8 : i64, num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, dram_bytes_per_cycle = 8.000000e+00 : f64, dram_latency = 20 : i64, memory_compute}> : () -> ()
// GENERIC-NEXT:   "placed_subop.layer"() <{sym_name = "gen", kind = "einsum", model = "g", workers = 1 : i64, cycles = 4 : i64, macs = 16 : i64, batch = 2 : i64}> : () -> ()
// GENERIC-NEXT:   %s = "placed_subop.source"() <{sym_name = "gen.src.A", layer = @gen, space = "A", iterations = 2 : i64, cycles = 1 : i64, pe = #chip.pe<0, 0>, memory}> : () -> !tiled_subop.stream<"A", 4, 2>
// GENERIC-NEXT:   %g = "placed_subop.worker"(%s) <{sym_name = "gen.w0", layer = @gen, index = 0 : i64, iterations = 2 : i64, cycles = 4 : i64, macs = 16 : i64, buffer = 8 : i64, pe = #chip.pe<0, 0>}> : (!tiled_subop.stream<"A", 4, 2>) -> !tiled_subop.stream<"Out", 8, 2>
// GENERIC-NEXT:   %t = "placed_subop.sink"(%g) <{sym_name = "gen.sink", layer = @gen, pe = #chip.pe<1, 0>, writeback}> : (!tiled_subop.stream<"Out", 8, 2>) -> tensor<4x4xi8>
// GENERIC-NEXT: }) : () -> ()
