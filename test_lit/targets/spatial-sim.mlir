// RUN: rm -rf %t && focus-opt %s -p lower-to-pe-isa -t 'spatial-sim{out="%t"}' | filecheck %s --check-prefix=SUMMARY
// RUN: cat %t/c0.inst | filecheck %s --check-prefix=MEM
// RUN: cat %t/c1.inst | filecheck %s --check-prefix=WORKER
// RUN: cat %t/c4.inst | filecheck %s --check-prefix=SINK
// RUN: cat %t/routing_board | filecheck %s --check-prefix=BOARD
// RUN: cat %t/task_spec | filecheck %s --check-prefix=SPEC

// One layer lowered and exported as an original spatial_sim task: loops unrolled, one pid per packet
// (the k-th send of a tag and the k-th recv of it share a pid), DRAM time as CPU.sleep after a
// `// mem_read` comment, data sizes of flits x channel_width, the multicast tree in the routing board.
chip.device @d mesh 3 x 3 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
placed_subop.layer @l kind "matmul" model "m" workers 2 cycles 8 macs 1024 batch 1
%w = placed_subop.source @l.src.Weights layer @l space "Weights" iterations 2 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 100, 2>
%o0 = placed_subop.worker @l.w0 layer @l index 0 iterations 2 cycles 4 macs 512 buffer 300 on <1, 0> (%w : !tiled_subop.stream<"Weights", 100, 2>) -> !tiled_subop.stream<"Outputs", 8, 1>
%o1 = placed_subop.worker @l.w1 layer @l index 1 iterations 2 cycles 4 macs 512 buffer 300 on <0, 1> (%w : !tiled_subop.stream<"Weights", 100, 2>) -> !tiled_subop.stream<"Outputs", 8, 1>
%a = placed_subop.sink @l.sink layer @l on <1, 1> (%o0, %o1 : !tiled_subop.stream<"Outputs", 8, 1>, !tiled_subop.stream<"Outputs", 8, 1>) -> tensor<16xi8>
routed_message.message @l.W %w from <0, 0> to [<1, 0>, <0, 1>] flits 2 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <0, 0> -> <0, 1>> : !tiled_subop.stream<"Weights", 100, 2>
routed_message.message @l.O0 %o0 from <1, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 8, 1>
routed_message.message @l.O1 %o1 from <0, 1> to [<1, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 1> -> <1, 1>> : !tiled_subop.stream<"Outputs", 8, 1>

// SUMMARY: spatial-sim: wrote {{.*}}: 9 core files, 16 instructions, 4 packets

// MEM:      operators:
// MEM-NEXT: {
// MEM-NEXT: // mem_read 100
// MEM-NEXT: assemble # CPU.sleep 2
// MEM-NEXT: assemble # NI.send 0 1 3
// MEM-NEXT: // mem_read 100
// MEM-NEXT: assemble # CPU.sleep 2
// MEM-NEXT: assemble # NI.send 1 1 3
// MEM-NEXT: }
// MEM-NEXT: data:
// MEM-NEXT: 0 # 1, 3 # 256
// MEM-NEXT: 1 # 1, 3 # 256

// WORKER:      operators:
// WORKER-NEXT: {
// WORKER-NEXT: assemble # NI.recv 0
// WORKER-NEXT: assemble # CPU.sleep 4
// WORKER-NEXT: assemble # NI.recv 1
// WORKER-NEXT: assemble # CPU.sleep 4
// WORKER-NEXT: assemble # NI.send 2 4
// WORKER-NEXT: }
// WORKER-NEXT: data:
// WORKER-NEXT: 2 # 4 # 128

// SINK:      operators:
// SINK-NEXT: {
// SINK-NEXT: assemble # NI.recv 2
// SINK-NEXT: assemble # NI.recv 3
// SINK-NEXT: }
// SINK-NEXT: data:
// SINK-EMPTY:

// BOARD:      0 0 1 3
// BOARD-NEXT: 0 1
// BOARD-NEXT: 0 3
// BOARD-EMPTY:
// BOARD-NEXT: 1 0 1 3
// BOARD-NEXT: 0 1
// BOARD-NEXT: 0 3

// SPEC: k = 3;
// SPEC: channel_width = 128;
// SPEC: num_vcs = 4;
// SPEC: vc_buf_size = 4;
// SPEC: tasks = {c0.inst,c1.inst,c2.inst,c3.inst,c4.inst,c5.inst,c6.inst,c7.inst,c8.inst};
// SPEC: routing_board = {{.*}}/routing_board;
