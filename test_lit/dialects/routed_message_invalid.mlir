// RUN: focus-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every routed_message verifier message (the route's own checks are in chip_invalid.mlir).

// A source PE beyond the mesh.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @conv1.Inputs %i from <0, 4> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' source <0, 4> is outside the 4x4 mesh

// -----

// No destination.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.none %i from <0, 0> to [] flits 2 packets 6 priority 0 vc 0 mode "tree" route <> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.none has no destination

// -----

// A destination beyond the mesh.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @conv1.Inputs %i from <0, 0> to [<1, 0>, <5, 1>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' destination <5, 1> is outside the 4x4 mesh

// -----

// A message to its own source.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.self %i from <0, 0> to [<1, 0>, <0, 0>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.self sends to its own source PE <0, 0>

// -----

// A destination listed twice.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.twice %i from <0, 0> to [<1, 0>, <1, 1>, <1, 0>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.twice lists destination <1, 0> twice

// -----

// Empty packets.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.flits %i from <0, 0> to [<1, 0>, <1, 1>] flits 0 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.flits flits (0) must be at least 1

// -----

// A message that never sends.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.packets %i from <0, 0> to [<1, 0>, <1, 1>] flits 2 packets 0 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.packets packets (0) must be at least 1

// -----

// A negative virtual channel.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.vc %i from <0, 0> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 0 vc -1 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.vc vc (-1) must be >= 0

// -----

// An unknown delivery mode.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.mode %i from <0, 0> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 0 vc 0 mode "broadcast" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' @m.mode mode 'broadcast' is not one of tree, copies

// -----

// A waypoint beyond the mesh.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @m.way %i from <0, 0> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 0 vc 0 mode "copies" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> waypoints [<2, 2>, <6, 0>] : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK: 'routed_message.message' waypoint <6, 0> is outside the 4x4 mesh
