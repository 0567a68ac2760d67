// route-messages: one routed_message.message per inter-PE stream; every algorithm's routes are checked by
// routed-message-check (trees inside the mesh reaching exactly the consumer PEs), and the reached sets
// printed by routed-message-check{print=true} are the same whatever the algorithm.
// RUN: focus-opt %s -p 'route-messages{unicast=xy},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,RPM
// RUN: focus-opt %s -p 'route-messages{unicast=yx},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UYX,RPM
// RUN: focus-opt %s -p 'route-messages{unicast=adaptive},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UAD,RPM
// RUN: focus-opt %s -p 'route-messages{multicast=xy},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,MXY
// RUN: focus-opt %s -p 'route-messages{multicast=yx},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,SPLIT,UXY,MYX
// RUN: focus-opt %s -p 'route-messages{multicast=star},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,STAR
// RUN: focus-opt %s -p 'route-messages{multicast=rpm},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,RPM
// RUN: focus-opt %s -p 'route-messages{multicast=bam},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,SPLIT,UXY,BAM
// RUN: focus-opt %s -p 'route-messages{multicast=whirl},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,RPM
// RUN: focus-opt %s -p 'route-messages{multicast=steiner},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,STEINER
// RUN: focus-opt %s -p 'route-messages{multicast=steiner-min},routed-message-check{print=true}' | filecheck %s --check-prefixes=CHECK,ONE,UXY,STEINER
//
// The searches keep every route legal and are deterministic for a seed; re-routing a routed module is stable.
// RUN: focus-opt %s -p 'route-messages{search=anneal budget=40 seed=1},routed-message-check{print=true}' > %t.a1
// RUN: focus-opt %s -p 'route-messages{search=anneal budget=40 seed=1},routed-message-check{print=true}' > %t.a2
// RUN: diff %t.a1 %t.a2
// RUN: filecheck %s --check-prefix=SEARCH < %t.a1
// RUN: focus-opt %s -p 'route-messages{search=evolve budget=40 seed=2},routed-message-check{print=true}' | filecheck %s --check-prefix=SEARCH
// RUN: focus-opt %s -p 'route-messages{multicast=yx}' > %t.once.mlir
// RUN: focus-opt %t.once.mlir -p 'route-messages{multicast=yx}' > %t.twice.mlir
// RUN: diff %t.once.mlir %t.twice.mlir
//
// User waypoints (a message that already carries them) are honoured exactly; the others are re-routed.
// RUN: sed -e 's|^// WP-IN: ||' %s | focus-opt -p 'route-messages,routed-message-check{print=true}' | filecheck %s --check-prefix=WP
// WP-IN: routed_message.message @l1.Weights.1 %w#1 from <0, 0> to [<4, 1>] flits 4 packets 1 priority 0 vc 0 mode "tree" route <> waypoints [<0, 1>, <3, 1>] : !tiled_subop.stream<"Weights", 100, 1>
// WP: @l1.Weights.1: <0, 0> -> {<4, 1>}
// WP: routed_message.message @l1.Weights.1 %{{.*}} from <0, 0> to [<4, 1>] flits 4 packets 1 priority 0 vc 1 mode "tree" route <<0, 0> -> <0, 1>, <0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>> waypoints [<0, 1>, <3, 1>]
//
// RUN: not focus-opt %s -p 'route-messages{multicast=mesh}' 2>&1 | filecheck %s --check-prefix=BADALG
// BADALG: focus-opt: error: route-messages: multicast 'mesh', expected one of xy, yx, star, rpm, bam, whirl, steiner, steiner-min
// RUN: not focus-opt %s -p 'route-messages{search=tabu}' 2>&1 | filecheck %s --check-prefix=BADSEARCH
// BADSEARCH: focus-opt: error: route-messages: search 'tabu', expected one of none, anneal, evolve
// RUN: not focus-opt %s -p 'route-messages{unicast=west-first}' 2>&1 | filecheck %s --check-prefix=BADUNI
// BADUNI: focus-opt: error: route-messages: unicast 'west-first', expected one of xy, yx, adaptive

// Worker w3 shares the Inputs source's PE <0, 2>: it reads locally, so Inputs goes to 3 PEs, not 4.
// flits = ceil(words x 8 / 256): Weights 100 words -> 4, Inputs 72 -> 3, Outputs 12 -> 1.
// CHECK:      @l1.Weights.0: <0, 0> -> {<2, 1>}
// CHECK-NEXT: @l1.Weights.1: <0, 0> -> {<4, 1>}
// CHECK-NEXT: @l1.Weights.2: <0, 0> -> {<1, 3>}
// CHECK-NEXT: @l1.Weights.3: <0, 0> -> {<0, 2>}
// ONE-NEXT:   @l1.Inputs: <0, 2> -> {<1, 3>, <2, 1>, <4, 1>}
// a tree with N->E and S->E turns fits no VC class: two messages, one per class
// SPLIT-NEXT: @l1.Inputs: <0, 2> -> {<2, 1>, <4, 1>}
// SPLIT-NEXT: @l1.Inputs.part1: <0, 2> -> {<1, 3>}
// CHECK-NEXT: @l1.Outputs.0: <2, 1> -> {<2, 2>}
// CHECK-NEXT: @l1.Outputs.1: <4, 1> -> {<2, 2>}
// CHECK-NEXT: @l1.Outputs.2: <1, 3> -> {<2, 2>}
// CHECK-NEXT: @l1.Outputs.3: <0, 2> -> {<2, 2>}
// CHECK-NEXT: builtin.module {

// Weights.1 after Weights.0 took <0, 0> -> <1, 0>: adaptive leaves through the idle south link.
// UXY: routed_message.message @l1.Weights.1 %{{.*}} from <0, 0> to [<4, 1>] flits 4 packets 1 priority 0 vc 1 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <2, 0>, <2, 0> -> <3, 0>, <3, 0> -> <4, 0>, <4, 0> -> <4, 1>>
// UYX: routed_message.message @l1.Weights.1 %{{.*}} from <0, 0> to [<4, 1>] flits 4 packets 1 priority 0 vc 1 mode "tree" route <<0, 0> -> <0, 1>, <0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>>
// UAD: routed_message.message @l1.Weights.1 %{{.*}} from <0, 0> to [<4, 1>] flits 4 packets 1 priority 0 vc 1 mode "tree" route <<0, 0> -> <0, 1>, <0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>>

// MXY:     routed_message.message @l1.Inputs %i from <0, 2> to [<1, 3>, <2, 1>, <4, 1>] flits 3 packets 6 priority 0 vc 1 mode "tree" route <<0, 2> -> <1, 2>, <1, 2> -> <1, 3>, <1, 2> -> <2, 2>, <2, 2> -> <2, 1>, <2, 2> -> <3, 2>, <3, 2> -> <4, 2>, <4, 2> -> <4, 1>>
// STAR:    routed_message.message @l1.Inputs %i from <0, 2> to [<1, 3>, <2, 1>, <4, 1>] flits 3 packets 6 priority 0 vc 1 mode "copies" route <<0, 2> -> <1, 2>, <1, 2> -> <1, 3>, <1, 2> -> <2, 2>, <2, 2> -> <2, 1>, <2, 2> -> <3, 2>, <3, 2> -> <4, 2>, <4, 2> -> <4, 1>>
// RPM:     routed_message.message @l1.Inputs %i from <0, 2> to [<1, 3>, <2, 1>, <4, 1>] flits 3 packets 6 priority 0 vc 0 mode "tree" route <<0, 2> -> <0, 1>, <0, 2> -> <1, 2>, <0, 1> -> <1, 1>, <1, 2> -> <1, 3>, <1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>>
// STEINER: routed_message.message @l1.Inputs %i from <0, 2> to [<1, 3>, <2, 1>, <4, 1>] flits 3 packets 6 priority 0 vc 0 mode "tree" route <<0, 2> -> <1, 2>, <1, 2> -> <1, 3>, <1, 2> -> <2, 2>, <2, 2> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>>
// MYX:     routed_message.message @l1.Inputs %i from <0, 2> to [<2, 1>, <4, 1>] flits 3 packets 6 priority 0 vc 0 mode "tree" route <<0, 2> -> <0, 1>, <0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>>
// MYX-NEXT: routed_message.message @l1.Inputs.part1 %i from <0, 2> to [<1, 3>] flits 3 packets 6 priority 0 vc 1 mode "tree" route <<0, 2> -> <0, 3>, <0, 3> -> <1, 3>>
// BAM:     routed_message.message @l1.Inputs %i from <0, 2> to [<2, 1>, <4, 1>] flits 3 packets 6 priority 0 vc 0 mode "tree" route <<0, 2> -> <0, 1>, <0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <4, 1>>
// BAM-NEXT: routed_message.message @l1.Inputs.part1 %i from <0, 2> to [<1, 3>] flits 3 packets 6 priority 0 vc 1 mode "tree" route <<0, 2> -> <0, 3>, <0, 3> -> <1, 3>>

// Outputs.1 avoids <2, 1> -> <2, 2>, loaded by Outputs.0, when routed adaptively.
// UXY: routed_message.message @l1.Outputs.1 %o1 from <4, 1> to [<2, 2>] flits 1 packets 6 priority 0 vc 1 mode "tree" route <<4, 1> -> <3, 1>, <3, 1> -> <2, 1>, <2, 1> -> <2, 2>>
// UYX: routed_message.message @l1.Outputs.1 %o1 from <4, 1> to [<2, 2>] flits 1 packets 6 priority 0 vc 1 mode "tree" route <<4, 1> -> <4, 2>, <4, 2> -> <3, 2>, <3, 2> -> <2, 2>>
// UAD: routed_message.message @l1.Outputs.1 %o1 from <4, 1> to [<2, 2>] flits 1 packets 6 priority 0 vc 1 mode "tree" route <<4, 1> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <2, 2>>

// SEARCH:      @l1.Weights.0: <0, 0> -> {<2, 1>}
// SEARCH:      @l1.Inputs{{(.part1)?}}: <0, 2> -> {
// SEARCH:      @l1.Outputs.3: <0, 2> -> {<2, 2>}
// SEARCH:      routed_message.message @l1.Weights.0 {{.*}} priority {{[0-9]+}} vc {{[01]}} mode "tree"

chip.device @d mesh 5 x 5 memory [<0, 0>, <0, 2>, <4, 4>] link 512 flit 256 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
placed_subop.layer @l1 kind "conv2d" model "m" workers 4 cycles 48 macs 7776 batch 1
%w:4 = placed_subop.source @l1.src.Weights layer @l1 space "Weights" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Weights", 100, 1>
%i = placed_subop.source @l1.src.Inputs layer @l1 space "Inputs" iterations 6 cycles 0 on <0, 2> memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o0 = placed_subop.worker @l1.w0 layer @l1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 on <2, 1> (%w#0, %i : !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o1 = placed_subop.worker @l1.w1 layer @l1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 on <4, 1> (%w#1, %i : !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o2 = placed_subop.worker @l1.w2 layer @l1 index 2 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 3> (%w#2, %i : !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o3 = placed_subop.worker @l1.w3 layer @l1 index 3 iterations 6 cycles 8 macs 1944 buffer 198 on <0, 2> (%w#3, %i : !tiled_subop.stream<"Weights", 100, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%a = placed_subop.sink @l1.sink layer @l1 on <2, 2> writeback (%o0, %o1, %o2, %o3 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x12xi8>
