// routed-message-check: every route must be a tree of unit links inside the mesh, rooted at the source,
// reaching exactly the destinations (through its waypoints), with acyclic channel dependencies per VC.
// print=true writes what each route reaches, recovered from the route itself.
// RUN: focus-opt %s -p 'routed-message-check{print=true}' | filecheck %s
// RUN: focus-opt %s -p 'routed-message-check' | filecheck %s --check-prefix=QUIET
//
// Each bad case adds one message (an uncommented `// <CASE>-IN:` line) to the valid module below.
// RUN: sed -e 's|^// MISS-IN: ||' %s | not focus-opt -p 'routed-message-check{print=true}' 2>&1 | filecheck %s --check-prefix=MISS
// MISS-IN: routed_message.message @bad %w#1 from <0, 0> to [<1, 1>, <3, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Weights", 54, 1>
// MISS: focus-opt: error: routed-message-check: message @bad: route misses destination <3, 1>
// MISS-NOT: @conv1
//
// RUN: sed -e 's|^// EXTRA-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=EXTRA
// EXTRA-IN: routed_message.message @bad %w#1 from <0, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 0> -> <2, 0>> : !tiled_subop.stream<"Weights", 54, 1>
// EXTRA: focus-opt: error: routed-message-check: message @bad: route reaches extra PE <2, 0> (a leaf that is not a destination)
//
// RUN: sed -e 's|^// TWICE-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=TWICE
// TWICE-IN: routed_message.message @bad %w#1 from <0, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <0, 0> -> <0, 1>, <0, 1> -> <1, 1>> : !tiled_subop.stream<"Weights", 54, 1>
// TWICE: focus-opt: error: routed-message-check: message @bad: route is not a tree: <1, 1> is entered twice (from <1, 0> and <0, 1>)
//
// RUN: sed -e 's|^// LOOP-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=LOOP
// LOOP-IN: routed_message.message @bad %w#1 from <0, 0> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <2, 1> -> <2, 2>, <2, 2> -> <3, 2>, <3, 2> -> <3, 1>, <3, 1> -> <2, 1>> : !tiled_subop.stream<"Weights", 54, 1>
// LOOP: focus-opt: error: routed-message-check: message @bad: route is not a tree: link <3, 1> -> <2, 1> is not connected to the source <0, 0>
//
// RUN: sed -e 's|^// OUT-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=OUT
// OUT-IN: routed_message.message @bad %w#1 from <2, 0> to [<3, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<2, 0> -> <3, 0>, <3, 0> -> <4, 0>> : !tiled_subop.stream<"Weights", 54, 1>
// OUT: focus-opt: error: routed-message-check: message @bad: route leaves the 4 x 4 mesh: link <3, 0> -> <4, 0>
//
// RUN: sed -e 's|^// SRC-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=SRC
// SRC-IN: routed_message.message @bad %w#1 from <0, 0> to [<2, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<1, 1> -> <2, 1>> : !tiled_subop.stream<"Weights", 54, 1>
// SRC: focus-opt: error: routed-message-check: message @bad: route is not a tree: link <1, 1> -> <2, 1> is not connected to the source <0, 0>
//
// RUN: sed -e 's|^// WAY-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=WAY
// WAY-IN: routed_message.message @bad %w#1 from <0, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> waypoints [<0, 1>] : !tiled_subop.stream<"Weights", 54, 1>
// WAY: focus-opt: error: routed-message-check: message @bad: route does not pass waypoint <0, 1>
//
// Four turns around the square <2, 1>..<3, 2> in one VC close a channel dependency cycle.
// RUN: sed -e 's|^// CYC-IN: ||' %s | not focus-opt -p routed-message-check 2>&1 | filecheck %s --check-prefix=CYC
// CYC-IN: routed_message.message @c0 %w#1 from <2, 1> to [<3, 2>] flits 1 packets 1 priority 0 vc 1 mode "tree" route <<2, 1> -> <3, 1>, <3, 1> -> <3, 2>> : !tiled_subop.stream<"Weights", 54, 1>
// CYC-IN: routed_message.message @c1 %w#1 from <3, 1> to [<2, 2>] flits 1 packets 1 priority 0 vc 1 mode "tree" route <<3, 1> -> <3, 2>, <3, 2> -> <2, 2>> : !tiled_subop.stream<"Weights", 54, 1>
// CYC-IN: routed_message.message @c2 %w#1 from <3, 2> to [<2, 1>] flits 1 packets 1 priority 0 vc 1 mode "tree" route <<3, 2> -> <2, 2>, <2, 2> -> <2, 1>> : !tiled_subop.stream<"Weights", 54, 1>
// CYC-IN: routed_message.message @c3 %w#1 from <2, 2> to [<3, 1>] flits 1 packets 1 priority 0 vc 1 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <3, 1>> : !tiled_subop.stream<"Weights", 54, 1>
// CYC: focus-opt: error: routed-message-check: VC 1 routes can deadlock, channel dependency cycle <{{[0-9], [0-9]}}> -> <{{[0-9], [0-9]}}>, {{.*}}
// The same four routes split over two VCs are fine.
// RUN: sed -e 's|^// CYC-IN: \(.*@c[02].*\)vc 1|\1vc 0|' -e 's|^// CYC-IN: ||' %s | focus-opt -p routed-message-check | filecheck %s --check-prefix=QUIET

// CHECK:      @conv1.Weights.0: <0, 0> -> {<1, 0>}
// CHECK-NEXT: @conv1.Weights.1: <0, 0> -> {<1, 1>}
// CHECK-NEXT: @conv1.Inputs: <3, 3> -> {<1, 0>, <1, 1>}
// CHECK-NEXT: @conv1.Outputs.0: <1, 0> -> {<2, 0>}
// CHECK-NEXT: @conv1.Outputs.1: <1, 1> -> {<2, 0>}
// CHECK-NEXT: builtin.module {
// QUIET-NOT:  @conv1.Weights.0:
// QUIET:      builtin.module {
// QUIET:      routed_message.message @conv1.Weights.0

chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
placed_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles 48 macs 3888 batch 1
%w:2 = placed_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
%i = placed_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 on <3, 3> memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o0 = placed_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 0> (%w#0, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o1 = placed_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 on <1, 1> (%w#1, %i : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%a = placed_subop.sink @conv1.sink layer @conv1 on <2, 0> writeback (%o0, %o1 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
routed_message.message @conv1.Weights.0 %w#0 from <0, 0> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 54, 1>
routed_message.message @conv1.Weights.1 %w#1 from <0, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 1 mode "copies" route <<0, 0> -> <0, 1>, <0, 1> -> <1, 1>> waypoints [<0, 1>] : !tiled_subop.stream<"Weights", 54, 1>
routed_message.message @conv1.Inputs %i from <3, 3> to [<1, 0>, <1, 1>] flits 2 packets 6 priority 1 vc 0 mode "tree" route <<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>> : !tiled_subop.stream<"Inputs", 72, 6>
routed_message.message @conv1.Outputs.0 %o0 from <1, 0> to [<2, 0>] flits 1 packets 6 priority 2 vc 1 mode "tree" route <<1, 0> -> <2, 0>> : !tiled_subop.stream<"Outputs", 12, 6>
routed_message.message @conv1.Outputs.1 %o1 from <1, 1> to [<2, 0>] flits 1 packets 6 priority 2 vc 1 mode "tree" route <<1, 1> -> <2, 1>, <2, 1> -> <2, 0>> : !tiled_subop.stream<"Outputs", 12, 6>
