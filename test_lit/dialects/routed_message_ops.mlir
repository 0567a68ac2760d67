// RUN: FOCUS_ROUNDTRIP
// RUN: FOCUS_GENERIC_ROUNDTRIP

// The placed conv1 graph plus one message per inter-PE stream: unicasts, a multicast tree (Inputs from
// <3, 3> to both workers), a "copies" message through a waypoint, priorities and virtual channels.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
placed_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1 {mapping = "M2 | P6 C3 R3 S3 Q6"}
%w:2 = placed_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <3, 3> memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o0 = placed_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 0> (%w#0, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o1 = placed_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 1> (%w#1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%a = placed_subop.sink @conv1.sink layer @conv1 on <2, 0> writeback (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
routed_message.message @conv1.Weights.0 %w#0 from <0, 0> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 54, 1>
routed_message.message @conv1.Weights.1 %w#1 from <0, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 1 mode "copies" route <<0, 0> -> <0, 1>, <0, 1> -> <1, 1>> waypoints [<0, 1>] : !tiled_subop.stream<"Weights", 54, 1>
routed_message.message @conv1.Inputs %i from <3, 3> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 1 vc 2 mode "tree" route <<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>> : !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @conv1.Outputs.0 %o0 from <1, 0> to [<2, 0>] flits 1 packets 6 priority 2 vc 3 mode "tree" route <<1, 0> -> <2, 0>> : !tiled_subop.stream<"Outputs", 12, 6>
routed_message.message @conv1.Outputs.1 %o1 from <1, 1> to [<2, 0>] flits 1 packets 6 priority 2 vc 3 mode "tree" route <<1, 1> -> <2, 1>, <2, 1> -> <2, 0>> : !tiled_subop.stream<"Outputs", 12, 6>

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, memory_compute}
// CHECK-NEXT:   placed_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1 {mapping = "M2 | P6 C3 R3 S3 Q6"}
// CHECK-NEXT:   %w, %w_1 = placed_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
// CHECK-NEXT:   %i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <3, 3> memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   %o0 = placed_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 0> (%w, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   %o1 = placed_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 1> (%w_1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   %a = placed_subop.sink @conv1.sink layer @conv1 on <2, 0> writeback (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   routed_message.message @conv1.Weights.0 %w from <0, 0> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 54, 1>
// CHECK-NEXT:   routed_message.message @conv1.Weights.1 %w_1 from <0, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 1 mode "copies" route <<0, 0> -> <0, 1>, <0, 1> -> <1, 1>> waypoints [<0, 1>] : !tiled_subop.stream<"Weights", 54, 1>
// CHECK-NEXT:   routed_message.message @conv1.Inputs %i from <3, 3> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 1 vc 2 mode "tree" route <<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   routed_message.message @conv1.Outputs.0 %o0 from <1, 0> to [<2, 0>] flits 1 packets 6 priority 2 vc 3 mode "tree" route <<1, 0> -> <2, 0>> : !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT:   routed_message.message @conv1.Outputs.1 %o1 from <1, 1> to [<2, 0>] flits 1 packets 6 priority 2 vc 3 mode "tree" route <<1, 1> -> <2, 1>, <2, 1> -> <2, 0>> : !tiled_subop.stream<"Outputs", 12, 6>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 4 : i64, height = 4 : i64, memory_pes = #chip.pes[<0, 0>, <3, 3>], link_bits = 512 : i64, flit_bits = 512 : i64, macs_per_cycle = 256 : i64, word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, memory_compute}> : () -> ()
// GENERIC-NEXT:   "placed_subop.layer"() <{sym_name = "conv1", kind = "conv2d", model = "m", workers = 2 : i64, cycles = 48 : i64, macs = 3888 : i64, batch = 1 : i64, mapping = "M2 | P6 C3 R3 S3 Q6"}> : () -> ()
// GENERIC-NEXT:   %w, %w_1 = "placed_subop.source"() <{sym_name = "conv1.src.Weights", layer = @conv1, space = "Weights", iterations = 1 : i64, cycles = 0 : i64, pe = #chip.pe<0, 0>, memory}> : () -> (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>)
// GENERIC-NEXT:   %i = "placed_subop.source"() <{sym_name = "conv1.src.Inputs", layer = @conv1, space = "Inputs", iterations = 6 : i64, cycles = 0 : i64, pe = #chip.pe<3, 3>, memory}> : () -> !tiled_subop.stream<"Inputs", 72, 6>
// GENERIC-NEXT:   %o0 = "placed_subop.worker"(%w, %i) <{sym_name = "conv1.w0", layer = @conv1, index = 0 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 1944 : i64, buffer = 198 : i64, pe = #chip.pe<1, 0>}> : (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// GENERIC-NEXT:   %o1 = "placed_subop.worker"(%w_1, %i) <{sym_name = "conv1.w1", layer = @conv1, index = 1 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 1944 : i64, buffer = 198 : i64, pe = #chip.pe<1, 1>}> : (!tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
// GENERIC-NEXT:   %a = "placed_subop.sink"(%o0, %o1) <{sym_name = "conv1.sink", layer = @conv1, pe = #chip.pe<2, 0>, writeback}> : (!tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   "routed_message.message"(%w) <{sym_name = "conv1.Weights.0", src = #chip.pe<0, 0>, dsts = #chip.pes[<1, 0>], flits = 1 : i64, packets = 1 : i64, priority = 0 : i64, vc = 0 : i64, mode = "tree", route = #chip.route<<0, 0> -> <1, 0>>}> : (!tiled_subop.stream<"Weights", 54, 1>) -> ()
// GENERIC-NEXT:   "routed_message.message"(%w_1) <{sym_name = "conv1.Weights.1", src = #chip.pe<0, 0>, dsts = #chip.pes[<1, 1>], flits = 1 : i64, packets = 1 : i64, priority = 0 : i64, vc = 1 : i64, mode = "copies", route = #chip.route<<0, 0> -> <0, 1>, <0, 1> -> <1, 1>>, waypoints = #chip.pes[<0, 1>]}> : (!tiled_subop.stream<"Weights", 54, 1>) -> ()
// GENERIC-NEXT:   "routed_message.message"(%i) <{sym_name = "conv1.Inputs", src = #chip.pe<3, 3>, dsts = #chip.pes[<1, 0>, <1, 1>], flits = 2 : i64, packets = 6 : i64, priority = 1 : i64, vc = 2 : i64, mode = "tree", route = #chip.route<<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>>}> : (!tiled_subop.stream<"Inputs", 72, 6>) -> ()
// GENERIC-NEXT:   "routed_message.message"(%o0) <{sym_name = "conv1.Outputs.0", src = #chip.pe<1, 0>, dsts = #chip.pes[<2, 0>], flits = 1 : i64, packets = 6 : i64, priority = 2 : i64, vc = 3 : i64, mode = "tree", route = #chip.route<<1, 0> -> <2, 0>>}> : (!tiled_subop.stream<"Outputs", 12, 6>) -> ()
// GENERIC-NEXT:   "routed_message.message"(%o1) <{sym_name = "conv1.Outputs.1", src = #chip.pe<1, 1>, dsts = #chip.pes[<2, 0>], flits = 1 : i64, packets = 6 : i64, priority = 2 : i64, vc = 3 : i64, mode = "tree", route = #chip.route<<1, 1> -> <2, 1>, <2, 1> -> <2, 0>>}> : (!tiled_subop.stream<"Outputs", 12, 6>) -> ()
// GENERIC-NEXT: }) : () -> ()
