// RUN: focus-opt %s --split-input-file -p lower-to-pe-isa | filecheck %s
// RUN: focus-opt %s --split-input-file -p lower-to-pe-isa,pe-isa-check | filecheck %s --check-prefix=CHECKED

// Hand-written routed_message modules (chip.device + placed_subop + routed_message) lowered to one pe_isa
// program per PE. Tags follow module order; control messages come after the routed ones. Every result also
// passes pe-isa-check (CHECKED).

// one layer, two workers: unicast weights and inputs from two memory PEs, outputs every 3 iterations
chip.device @d mesh 3 x 3 memory [<0, 0>, <2, 2>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
placed_subop.layer @l1 kind "conv2d" model "m" workers 2 cycles 48 macs 6144 batch 1
%w:2 = placed_subop.source @l1.src.Weights layer @l1 space "Weights" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 64, 2>, !tiled_subop.stream<"Weights", 64, 2>
%i:2 = placed_subop.source @l1.src.Inputs layer @l1 space "Inputs" iterations 6 cycles 0 on <2, 2> memory -> !tiled_subop.stream<"Inputs", 100, 6>, !tiled_subop.stream<"Inputs", 100, 6>
%o0 = placed_subop.worker @l1.w0 layer @l1 index 0 iterations 6 cycles 8 macs 3072 buffer 600 on <1, 0> (%w#0, %i#0 : !tiled_subop.stream<"Weights", 64, 2>, !tiled_subop.stream<"Inputs", 100, 6>) -> !tiled_subop.stream<"Outputs", 16, 2>
%o1 = placed_subop.worker @l1.w1 layer @l1 index 1 iterations 6 cycles 8 macs 3072 buffer 600 on <1, 2> (%w#1, %i#1 : !tiled_subop.stream<"Weights", 64, 2>, !tiled_subop.stream<"Inputs", 100, 6>) -> !tiled_subop.stream<"Outputs", 16, 2>
%a = placed_subop.sink @l1.sink layer @l1 on <1, 1> (%o0, %o1 : !tiled_subop.stream<"Outputs", 16, 2>, !tiled_subop.stream<"Outputs", 16, 2>) -> tensor<1x4x2x8xi8>
routed_message.message @l1.W0 %w#0 from <0, 0> to [<1, 0>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 64, 2>
routed_message.message @l1.W1 %w#1 from <0, 0> to [<1, 2>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 1> -> <1, 2>> : !tiled_subop.stream<"Weights", 64, 2>
routed_message.message @l1.I0 %i#0 from <2, 2> to [<1, 0>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 100, 6>
routed_message.message @l1.I1 %i#1 from <2, 2> to [<1, 2>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<2, 2> -> <1, 2>> : !tiled_subop.stream<"Inputs", 100, 6>
routed_message.message @l1.O0 %o0 from <1, 0> to [<1, 1>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 16, 2>
routed_message.message @l1.O1 %o1 from <1, 2> to [<1, 1>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<1, 2> -> <1, 1>> : !tiled_subop.stream<"Outputs", 16, 2>

// CHECKED:     pe_isa.program
// CHECK-LABEL: builtin.module {
// CHECK-NEXT:   chip.device @d {{.*}}
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "l1.W0" {bytes = 64 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 1 from <0, 0> to [<1, 2>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 1> -> <1, 2>> label "l1.W1" {bytes = 64 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 2 from <2, 2> to [<1, 0>] flits 2 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> label "l1.I0" {bytes = 100 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 3 from <2, 2> to [<1, 2>] flits 2 vc 0 mode "tree" route <<2, 2> -> <1, 2>> label "l1.I1" {bytes = 100 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 4 from <1, 0> to [<1, 1>] flits 1 vc 0 mode "tree" route <<1, 0> -> <1, 1>> label "l1.O0" {bytes = 16 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 5 from <1, 2> to [<1, 1>] flits 1 vc 0 mode "tree" route <<1, 2> -> <1, 1>> label "l1.O1" {bytes = 16 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "l1.src.Weights" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.mem_read bytes 128
// CHECK-NEXT:         pe_isa.send tag 0
// CHECK-NEXT:         pe_isa.send tag 1
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "l1.w0" attributes {buffer = 600 : i64, layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 0
// CHECK-NEXT:         pe_isa.loop count 3 {
// CHECK-NEXT:           pe_isa.recv tag 2
// CHECK-NEXT:           pe_isa.compute cycles 8
// CHECK-NEXT:         }
// CHECK-NEXT:         pe_isa.send tag 4
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 1> {
// CHECK-NEXT:     pe_isa.block "l1.sink" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 4
// CHECK-NEXT:         pe_isa.recv tag 5
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 2> {
// CHECK-NEXT:     pe_isa.block "l1.w1" attributes {buffer = 600 : i64, layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 1
// CHECK-NEXT:         pe_isa.loop count 3 {
// CHECK-NEXT:           pe_isa.recv tag 3
// CHECK-NEXT:           pe_isa.compute cycles 8
// CHECK-NEXT:         }
// CHECK-NEXT:         pe_isa.send tag 5
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 2> {
// CHECK-NEXT:     pe_isa.block "l1.src.Inputs" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 6 {
// CHECK-NEXT:         pe_isa.mem_read bytes 200
// CHECK-NEXT:         pe_isa.send tag 2
// CHECK-NEXT:         pe_isa.send tag 3
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }

// -----
// multicast: one weight stream to three workers (a tree); the worker on the memory PE <0, 0> reads it locally
chip.device @d mesh 3 x 3 memory [<0, 0>, <2, 2>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
placed_subop.layer @mm kind "matmul" model "m" workers 3 cycles 40 macs 7680 batch 1
%w = placed_subop.source @mm.src.Weights layer @mm space "Weights" iterations 4 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 128, 1>
%i:3 = placed_subop.source @mm.src.Inputs layer @mm space "Inputs" iterations 4 cycles 0 on <2, 2> memory -> !tiled_subop.stream<"Inputs", 32, 4>, !tiled_subop.stream<"Inputs", 32, 4>, !tiled_subop.stream<"Inputs", 32, 4>
%o0 = placed_subop.worker @mm.w0 layer @mm index 0 iterations 4 cycles 10 macs 2560 buffer 400 on <0, 0> (%w, %i#0 : !tiled_subop.stream<"Weights", 128, 1>, !tiled_subop.stream<"Inputs", 32, 4>) -> !tiled_subop.stream<"Outputs", 8, 4>
%o1 = placed_subop.worker @mm.w1 layer @mm index 1 iterations 4 cycles 10 macs 2560 buffer 400 on <1, 0> (%w, %i#1 : !tiled_subop.stream<"Weights", 128, 1>, !tiled_subop.stream<"Inputs", 32, 4>) -> !tiled_subop.stream<"Outputs", 8, 4>
%o2 = placed_subop.worker @mm.w2 layer @mm index 2 iterations 4 cycles 10 macs 2560 buffer 400 on <0, 1> (%w, %i#2 : !tiled_subop.stream<"Weights", 128, 1>, !tiled_subop.stream<"Inputs", 32, 4>) -> !tiled_subop.stream<"Outputs", 8, 4>
%a = placed_subop.sink @mm.sink layer @mm on <1, 1> (%o0, %o1, %o2 : !tiled_subop.stream<"Outputs", 8, 4>, !tiled_subop.stream<"Outputs", 8, 4>, !tiled_subop.stream<"Outputs", 8, 4>) -> tensor<12x8xi8>
routed_message.message @mm.W %w from <0, 0> to [<1, 0>, <0, 1>] flits 2 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <0, 0> -> <0, 1>> : !tiled_subop.stream<"Weights", 128, 1>
routed_message.message @mm.I0 %i#0 from <2, 2> to [<0, 0>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<2, 2> -> <1, 2>, <1, 2> -> <0, 2>, <0, 2> -> <0, 1>, <0, 1> -> <0, 0>> : !tiled_subop.stream<"Inputs", 32, 4>
routed_message.message @mm.I1 %i#1 from <2, 2> to [<1, 0>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 32, 4>
routed_message.message @mm.I2 %i#2 from <2, 2> to [<0, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<2, 2> -> <1, 2>, <1, 2> -> <0, 2>, <0, 2> -> <0, 1>> : !tiled_subop.stream<"Inputs", 32, 4>
routed_message.message @mm.O0 %o0 from <0, 0> to [<1, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 8, 4>
routed_message.message @mm.O1 %o1 from <1, 0> to [<1, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 8, 4>
routed_message.message @mm.O2 %o2 from <0, 1> to [<1, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<0, 1> -> <1, 1>> : !tiled_subop.stream<"Outputs", 8, 4>

// CHECKED:     pe_isa.program
// CHECK-LABEL: builtin.module {
// CHECK-NEXT:   chip.device @d {{.*}}
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>, <0, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <0, 0> -> <0, 1>> label "mm.W" {bytes = 128 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.message tag 1 from <2, 2> to [<0, 0>] flits 1 vc 0 mode "tree" route <<2, 2> -> <1, 2>, <1, 2> -> <0, 2>, <0, 2> -> <0, 1>, <0, 1> -> <0, 0>> label "mm.I0" {bytes = 32 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.message tag 2 from <2, 2> to [<1, 0>] flits 1 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> label "mm.I1" {bytes = 32 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.message tag 3 from <2, 2> to [<0, 1>] flits 1 vc 0 mode "tree" route <<2, 2> -> <1, 2>, <1, 2> -> <0, 2>, <0, 2> -> <0, 1>> label "mm.I2" {bytes = 32 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.message tag 4 from <0, 0> to [<1, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> label "mm.O0" {bytes = 8 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.message tag 5 from <1, 0> to [<1, 1>] flits 1 vc 0 mode "tree" route <<1, 0> -> <1, 1>> label "mm.O1" {bytes = 8 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.message tag 6 from <0, 1> to [<1, 1>] flits 1 vc 0 mode "tree" route <<0, 1> -> <1, 1>> label "mm.O2" {bytes = 8 : i64, layer = "mm"}
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "mm.src.Weights" attributes {layer = "mm"} {
// CHECK-NEXT:       pe_isa.mem_read bytes 128
// CHECK-NEXT:       pe_isa.send tag 0
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "mm.w0" attributes {buffer = 400 : i64, layer = "mm"} {
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.recv tag 1
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:         pe_isa.send tag 4
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "mm.w1" attributes {buffer = 400 : i64, layer = "mm"} {
// CHECK-NEXT:       pe_isa.recv tag 0
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.recv tag 2
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:         pe_isa.send tag 5
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <0, 1> {
// CHECK-NEXT:     pe_isa.block "mm.w2" attributes {buffer = 400 : i64, layer = "mm"} {
// CHECK-NEXT:       pe_isa.recv tag 0
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.recv tag 3
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:         pe_isa.send tag 6
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 1> {
// CHECK-NEXT:     pe_isa.block "mm.sink" attributes {layer = "mm"} {
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.recv tag 4
// CHECK-NEXT:         pe_isa.recv tag 5
// CHECK-NEXT:         pe_isa.recv tag 6
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 2> {
// CHECK-NEXT:     pe_isa.block "mm.src.Inputs" attributes {layer = "mm"} {
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.mem_read bytes 96
// CHECK-NEXT:         pe_isa.send tag 1
// CHECK-NEXT:         pe_isa.send tag 2
// CHECK-NEXT:         pe_isa.send tag 3
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }

// -----
// reduction: two workers split the reduction dimension, the sink on memory PE <2, 2> adds the partial sums
// (64 words x 2 inputs - 64 words = 64 additions = 1 cycle at 64 MACs/cycle) and writes the output back
chip.device @d mesh 3 x 3 memory [<0, 0>, <2, 2>] link 512 flit 256 macs 64 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
placed_subop.layer @fc kind "matmul" model "m" workers 2 cycles 20 macs 2560 batch 1
%w:2 = placed_subop.source @fc.src.Weights layer @fc space "Weights" iterations 2 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 320, 2>, !tiled_subop.stream<"Weights", 320, 2>
%o0 = placed_subop.worker @fc.w0 layer @fc index 0 iterations 2 cycles 10 macs 1280 buffer 704 on <1, 0> (%w#0 : !tiled_subop.stream<"Weights", 320, 2>) -> !tiled_subop.stream<"Outputs", 64, 1>
%o1 = placed_subop.worker @fc.w1 layer @fc index 1 iterations 2 cycles 0 macs 1280 buffer 704 on <0, 1> (%w#1 : !tiled_subop.stream<"Weights", 320, 2>) -> !tiled_subop.stream<"Outputs", 64, 1>
%a = placed_subop.sink @fc.sink layer @fc on <2, 2> reduce writeback (%o0, %o1 : !tiled_subop.stream<"Outputs", 64, 1>, !tiled_subop.stream<"Outputs", 64, 1>) -> tensor<1x64xi8>
routed_message.message @fc.W0 %w#0 from <0, 0> to [<1, 0>] flits 10 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 320, 2>
routed_message.message @fc.W1 %w#1 from <0, 0> to [<0, 1>] flits 10 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <0, 1>> : !tiled_subop.stream<"Weights", 320, 2>
routed_message.message @fc.O0 %o0 from <1, 0> to [<2, 2>] flits 2 packets 1 priority 0 vc 0 mode "tree" route <<1, 0> -> <2, 0>, <2, 0> -> <2, 1>, <2, 1> -> <2, 2>> : !tiled_subop.stream<"Outputs", 64, 1>
routed_message.message @fc.O1 %o1 from <0, 1> to [<2, 2>] flits 2 packets 1 priority 0 vc 0 mode "tree" route <<0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <2, 2>> : !tiled_subop.stream<"Outputs", 64, 1>

// CHECKED:     pe_isa.program
// CHECK-LABEL: builtin.module {
// CHECK-NEXT:   chip.device @d {{.*}}
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 10 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "fc.W0" {bytes = 320 : i64, layer = "fc"}
// CHECK-NEXT:   pe_isa.message tag 1 from <0, 0> to [<0, 1>] flits 10 vc 0 mode "tree" route <<0, 0> -> <0, 1>> label "fc.W1" {bytes = 320 : i64, layer = "fc"}
// CHECK-NEXT:   pe_isa.message tag 2 from <1, 0> to [<2, 2>] flits 2 vc 0 mode "tree" route <<1, 0> -> <2, 0>, <2, 0> -> <2, 1>, <2, 1> -> <2, 2>> label "fc.O0" {bytes = 64 : i64, layer = "fc"}
// CHECK-NEXT:   pe_isa.message tag 3 from <0, 1> to [<2, 2>] flits 2 vc 0 mode "tree" route <<0, 1> -> <1, 1>, <1, 1> -> <2, 1>, <2, 1> -> <2, 2>> label "fc.O1" {bytes = 64 : i64, layer = "fc"}
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "fc.src.Weights" attributes {layer = "fc"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.mem_read bytes 640
// CHECK-NEXT:         pe_isa.send tag 0
// CHECK-NEXT:         pe_isa.send tag 1
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "fc.w0" attributes {buffer = 704 : i64, layer = "fc"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 0
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:       }
// CHECK-NEXT:       pe_isa.send tag 2
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <0, 1> {
// CHECK-NEXT:     pe_isa.block "fc.w1" attributes {buffer = 704 : i64, layer = "fc"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 1
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:       }
// CHECK-NEXT:       pe_isa.send tag 3
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 2> {
// CHECK-NEXT:     pe_isa.block "fc.sink" attributes {layer = "fc"} {
// CHECK-NEXT:       pe_isa.recv tag 2
// CHECK-NEXT:       pe_isa.recv tag 3
// CHECK-NEXT:       pe_isa.compute cycles 1
// CHECK-NEXT:       pe_isa.mem_write bytes 64
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }

// -----
// two chained layers: l2's inputs come from l1's sink (the producer source shares the sink's PE <1, 1>);
// l2's weight source waits for a control packet from l1's sink; l2's output is written back on <2, 2>
chip.device @d mesh 3 x 3 memory [<0, 0>, <2, 2>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
placed_subop.layer @l1 kind "conv2d" model "m" workers 1 cycles 40 macs 10240 batch 1
%w1 = placed_subop.source @l1.src.Weights layer @l1 space "Weights" iterations 4 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 64, 1>
%i1 = placed_subop.source @l1.src.Inputs layer @l1 space "Inputs" iterations 4 cycles 0 on <2, 2> memory -> !tiled_subop.stream<"Inputs", 40, 4>
%o1 = placed_subop.worker @l1.w0 layer @l1 index 0 iterations 4 cycles 10 macs 10240 buffer 300 on <1, 0> (%w1, %i1 : !tiled_subop.stream<"Weights", 64, 1>, !tiled_subop.stream<"Inputs", 40, 4>) -> !tiled_subop.stream<"Outputs", 16, 4>
%a1 = placed_subop.sink @l1.sink layer @l1 on <1, 1> (%o1 : !tiled_subop.stream<"Outputs", 16, 4>) -> tensor<1x64xi8>
placed_subop.layer @l2 kind "matmul" model "m" workers 1 cycles 20 macs 4096 batch 1
%w2 = placed_subop.source @l2.src.Weights layer @l2 space "Weights" iterations 2 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 32, 2>
%i2 = placed_subop.source @l2.src.Inputs layer @l2 space "Inputs" iterations 2 cycles 3 on <1, 1> from %a1 : tensor<1x64xi8> -> !tiled_subop.stream<"Inputs", 32, 2>
%o2 = placed_subop.worker @l2.w0 layer @l2 index 0 iterations 2 cycles 10 macs 4096 buffer 200 on <2, 1> (%w2, %i2 : !tiled_subop.stream<"Weights", 32, 2>, !tiled_subop.stream<"Inputs", 32, 2>) -> !tiled_subop.stream<"Outputs", 64, 1>
%a2 = placed_subop.sink @l2.sink layer @l2 on <2, 2> writeback (%o2 : !tiled_subop.stream<"Outputs", 64, 1>) -> tensor<1x64xi8>
routed_message.message @l1.W %w1 from <0, 0> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 64, 1>
routed_message.message @l1.I %i1 from <2, 2> to [<1, 0>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 40, 4>
routed_message.message @l1.O %o1 from <1, 0> to [<1, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 16, 4>
routed_message.message @l2.W %w2 from <0, 0> to [<2, 1>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <2, 0>, <2, 0> -> <2, 1>> : !tiled_subop.stream<"Weights", 32, 2>
routed_message.message @l2.I %i2 from <1, 1> to [<2, 1>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<1, 1> -> <2, 1>> : !tiled_subop.stream<"Inputs", 32, 2>
routed_message.message @l2.O %o2 from <2, 1> to [<2, 2>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<2, 1> -> <2, 2>> : !tiled_subop.stream<"Outputs", 64, 1>

// CHECKED:     pe_isa.program
// CHECK-LABEL: builtin.module {
// CHECK-NEXT:   chip.device @d {{.*}}
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "l1.W" {bytes = 64 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 1 from <2, 2> to [<1, 0>] flits 1 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> label "l1.I" {bytes = 40 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 2 from <1, 0> to [<1, 1>] flits 1 vc 0 mode "tree" route <<1, 0> -> <1, 1>> label "l1.O" {bytes = 16 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 3 from <0, 0> to [<2, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <2, 0>, <2, 0> -> <2, 1>> label "l2.W" {bytes = 32 : i64, layer = "l2"}
// CHECK-NEXT:   pe_isa.message tag 4 from <1, 1> to [<2, 1>] flits 1 vc 0 mode "tree" route <<1, 1> -> <2, 1>> label "l2.I" {bytes = 32 : i64, layer = "l2"}
// CHECK-NEXT:   pe_isa.message tag 5 from <2, 1> to [<2, 2>] flits 1 vc 0 mode "tree" route <<2, 1> -> <2, 2>> label "l2.O" {bytes = 64 : i64, layer = "l2"}
// CHECK-NEXT:   pe_isa.message tag 6 from <1, 1> to [<0, 0>] flits 1 vc 0 mode "tree" route <<1, 1> -> <0, 1>, <0, 1> -> <0, 0>> label "ctrl.l1.sink.l2.src.Weights" {control, layer = "l2"}
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "l1.src.Weights" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.mem_read bytes 64
// CHECK-NEXT:       pe_isa.send tag 0
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "l2.src.Weights" attributes {layer = "l2"} {
// CHECK-NEXT:       pe_isa.recv tag 6
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.mem_read bytes 32
// CHECK-NEXT:         pe_isa.send tag 3
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "l1.w0" attributes {buffer = 300 : i64, layer = "l1"} {
// CHECK-NEXT:       pe_isa.recv tag 0
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.recv tag 1
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:         pe_isa.send tag 2
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 1> {
// CHECK-NEXT:     pe_isa.block "l1.sink" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.recv tag 2
// CHECK-NEXT:       }
// CHECK-NEXT:       pe_isa.send tag 6
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.compute cycles 3
// CHECK-NEXT:         pe_isa.send tag 4
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 1> {
// CHECK-NEXT:     pe_isa.block "l2.w0" attributes {buffer = 200 : i64, layer = "l2"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 3
// CHECK-NEXT:         pe_isa.recv tag 4
// CHECK-NEXT:         pe_isa.compute cycles 10
// CHECK-NEXT:       }
// CHECK-NEXT:       pe_isa.send tag 5
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 2> {
// CHECK-NEXT:     pe_isa.block "l1.src.Inputs" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 4 {
// CHECK-NEXT:         pe_isa.mem_read bytes 40
// CHECK-NEXT:         pe_isa.send tag 1
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "l2.sink" attributes {layer = "l2"} {
// CHECK-NEXT:       pe_isa.recv tag 5
// CHECK-NEXT:       pe_isa.mem_write bytes 64
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }

// -----
// two batches of the two chained layers: every block body runs twice; l2's weight source waits for one control
// packet per batch; l1's memory sources re-read their tiles for every batch (no reuse across batches)
chip.device @d mesh 3 x 3 memory [<0, 0>, <2, 2>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
placed_subop.layer @l1 kind "conv2d" model "m" workers 1 cycles 40 macs 10240 batch 2
%w1 = placed_subop.source @l1.src.Weights layer @l1 space "Weights" iterations 4 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 64, 1>
%i1 = placed_subop.source @l1.src.Inputs layer @l1 space "Inputs" iterations 4 cycles 0 on <2, 2> memory -> !tiled_subop.stream<"Inputs", 40, 4>
%o1 = placed_subop.worker @l1.w0 layer @l1 index 0 iterations 4 cycles 10 macs 10240 buffer 300 on <1, 0> (%w1, %i1 : !tiled_subop.stream<"Weights", 64, 1>, !tiled_subop.stream<"Inputs", 40, 4>) -> !tiled_subop.stream<"Outputs", 16, 4>
%a1 = placed_subop.sink @l1.sink layer @l1 on <1, 1> (%o1 : !tiled_subop.stream<"Outputs", 16, 4>) -> tensor<1x64xi8>
placed_subop.layer @l2 kind "matmul" model "m" workers 1 cycles 20 macs 4096 batch 2
%w2 = placed_subop.source @l2.src.Weights layer @l2 space "Weights" iterations 2 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 32, 2>
%i2 = placed_subop.source @l2.src.Inputs layer @l2 space "Inputs" iterations 2 cycles 3 on <1, 1> from %a1 : tensor<1x64xi8> -> !tiled_subop.stream<"Inputs", 32, 2>
%o2 = placed_subop.worker @l2.w0 layer @l2 index 0 iterations 2 cycles 10 macs 4096 buffer 200 on <2, 1> (%w2, %i2 : !tiled_subop.stream<"Weights", 32, 2>, !tiled_subop.stream<"Inputs", 32, 2>) -> !tiled_subop.stream<"Outputs", 64, 1>
%a2 = placed_subop.sink @l2.sink layer @l2 on <2, 2> writeback (%o2 : !tiled_subop.stream<"Outputs", 64, 1>) -> tensor<1x64xi8>
routed_message.message @l1.W %w1 from <0, 0> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Weights", 64, 1>
routed_message.message @l1.I %i1 from <2, 2> to [<1, 0>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 40, 4>
routed_message.message @l1.O %o1 from <1, 0> to [<1, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 16, 4>
routed_message.message @l2.W %w2 from <0, 0> to [<2, 1>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <2, 0>, <2, 0> -> <2, 1>> : !tiled_subop.stream<"Weights", 32, 2>
routed_message.message @l2.I %i2 from <1, 1> to [<2, 1>] flits 1 packets 2 priority 0 vc 0 mode "tree" route <<1, 1> -> <2, 1>> : !tiled_subop.stream<"Inputs", 32, 2>
routed_message.message @l2.O %o2 from <2, 1> to [<2, 2>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<2, 1> -> <2, 2>> : !tiled_subop.stream<"Outputs", 64, 1>

// CHECKED:     pe_isa.program
// CHECK-LABEL: builtin.module {
// CHECK-NEXT:   chip.device @d {{.*}}
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "l1.W" {bytes = 64 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 1 from <2, 2> to [<1, 0>] flits 1 vc 0 mode "tree" route <<2, 2> -> <2, 1>, <2, 1> -> <2, 0>, <2, 0> -> <1, 0>> label "l1.I" {bytes = 40 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 2 from <1, 0> to [<1, 1>] flits 1 vc 0 mode "tree" route <<1, 0> -> <1, 1>> label "l1.O" {bytes = 16 : i64, layer = "l1"}
// CHECK-NEXT:   pe_isa.message tag 3 from <0, 0> to [<2, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <2, 0>, <2, 0> -> <2, 1>> label "l2.W" {bytes = 32 : i64, layer = "l2"}
// CHECK-NEXT:   pe_isa.message tag 4 from <1, 1> to [<2, 1>] flits 1 vc 0 mode "tree" route <<1, 1> -> <2, 1>> label "l2.I" {bytes = 32 : i64, layer = "l2"}
// CHECK-NEXT:   pe_isa.message tag 5 from <2, 1> to [<2, 2>] flits 1 vc 0 mode "tree" route <<2, 1> -> <2, 2>> label "l2.O" {bytes = 64 : i64, layer = "l2"}
// CHECK-NEXT:   pe_isa.message tag 6 from <1, 1> to [<0, 0>] flits 1 vc 0 mode "tree" route <<1, 1> -> <0, 1>, <0, 1> -> <0, 0>> label "ctrl.l1.sink.l2.src.Weights" {control, layer = "l2"}
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "l1.src.Weights" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.mem_read bytes 64
// CHECK-NEXT:         pe_isa.send tag 0
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "l2.src.Weights" attributes {layer = "l2"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 6
// CHECK-NEXT:         pe_isa.loop count 2 {
// CHECK-NEXT:           pe_isa.mem_read bytes 32
// CHECK-NEXT:           pe_isa.send tag 3
// CHECK-NEXT:         }
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "l1.w0" attributes {buffer = 300 : i64, layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 0
// CHECK-NEXT:         pe_isa.loop count 4 {
// CHECK-NEXT:           pe_isa.recv tag 1
// CHECK-NEXT:           pe_isa.compute cycles 10
// CHECK-NEXT:           pe_isa.send tag 2
// CHECK-NEXT:         }
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 1> {
// CHECK-NEXT:     pe_isa.block "l1.sink" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.loop count 4 {
// CHECK-NEXT:           pe_isa.recv tag 2
// CHECK-NEXT:         }
// CHECK-NEXT:         pe_isa.send tag 6
// CHECK-NEXT:         pe_isa.loop count 2 {
// CHECK-NEXT:           pe_isa.compute cycles 3
// CHECK-NEXT:           pe_isa.send tag 4
// CHECK-NEXT:         }
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 1> {
// CHECK-NEXT:     pe_isa.block "l2.w0" attributes {buffer = 200 : i64, layer = "l2"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.loop count 2 {
// CHECK-NEXT:           pe_isa.recv tag 3
// CHECK-NEXT:           pe_isa.recv tag 4
// CHECK-NEXT:           pe_isa.compute cycles 10
// CHECK-NEXT:         }
// CHECK-NEXT:         pe_isa.send tag 5
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <2, 2> {
// CHECK-NEXT:     pe_isa.block "l1.src.Inputs" attributes {layer = "l1"} {
// CHECK-NEXT:       pe_isa.loop count 8 {
// CHECK-NEXT:         pe_isa.mem_read bytes 40
// CHECK-NEXT:         pe_isa.send tag 1
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "l2.sink" attributes {layer = "l2"} {
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.recv tag 5
// CHECK-NEXT:         pe_isa.mem_write bytes 64
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }
