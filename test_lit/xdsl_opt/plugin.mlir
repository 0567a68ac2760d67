// Plain `xdsl-opt` (the installed entry point, no focus code on its command line) sees focus's six
// dialects through the `xdsl.universe` plugin: it parses them mixed with func/arith, round-trips them,
// and runs upstream passes over them (canonicalize removes the dead arith.constant and nothing of ours:
// no focus op may be Pure, or DCE would drop sends, messages and sources).

// RUN: xdsl-opt %s --print-op-generic | xdsl-opt | filecheck %s
// RUN: xdsl-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: xdsl-opt %s -p canonicalize,cse | filecheck %s --check-prefix=CANON

builtin.module {
  chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
  func.func @net(%img : tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8> {
    %c1 = tensor_op.layer @conv1 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
    tensor_op.output %c1 model "m" : tensor<1x4x6x6xi8>
    func.return %c1 : tensor<1x4x6x6xi8>
  }
  func.func @macs_per_worker(%workers : i64) -> i64 {
    %total = arith.constant 3888 : i64
    %unused = arith.constant 7 : i64
    %per = arith.divui %total, %workers : i64
    func.return %per : i64
  }
  tiled_subop.layer @conv2 kind "conv2d" model "m" workers 1 cycles 48 macs 3888 batch 1
  %t = tiled_subop.source @conv2.src.Inputs layer @conv2 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
  placed_subop.layer @conv3 kind "conv2d" model "m" workers 1 cycles 48 macs 3888 batch 1
  %i = placed_subop.source @conv3.src.Inputs layer @conv3 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
  %o = placed_subop.worker @conv3.w0 layer @conv3 index 0 iterations 6 cycles 8 macs 3888 buffer 198 on <1, 0> (%i : !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 24, 6>
  routed_message.message @conv3.Inputs %i from <0, 0> to [<1, 0>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 72, 6>
  pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "conv3.Inputs"
  pe_isa.program on <0, 0> {
    pe_isa.block "conv3.src.Inputs" {
      pe_isa.loop count 6 {
        pe_isa.mem_read bytes 72
        pe_isa.send tag 0
      }
    }
  }
  pe_isa.program on <1, 0> {
    pe_isa.block "conv3.w0" {
      pe_isa.loop count 6 {
        pe_isa.recv tag 0
        pe_isa.compute cycles 8
      }
    }
  }
}

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}
// CHECK-NEXT:   func.func @net(%img: tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8> {
// CHECK-NEXT:     %c1 = tensor_op.layer @conv1 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:     tensor_op.output %c1 model "m" : tensor<1x4x6x6xi8>
// CHECK-NEXT:     func.return %c1 : tensor<1x4x6x6xi8>
// CHECK-NEXT:   }
// CHECK-NEXT:   func.func @macs_per_worker(%workers: i64) -> i64 {
// CHECK-NEXT:     %total = arith.constant 3888 : i64
// CHECK-NEXT:     %unused = arith.constant 7 : i64
// CHECK-NEXT:     %per = arith.divui %total, %workers : i64
// CHECK-NEXT:     func.return %per : i64
// CHECK-NEXT:   }
// CHECK-NEXT:   tiled_subop.layer @conv2 kind "conv2d" model "m" workers 1 cycles 48 macs 3888 batch 1
// CHECK-NEXT:   %t = tiled_subop.source @conv2.src.Inputs layer @conv2 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   placed_subop.layer @conv3 kind "conv2d" model "m" workers 1 cycles 48 macs 3888 batch 1
// CHECK-NEXT:   %i = placed_subop.source @conv3.src.Inputs layer @conv3 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   %o = placed_subop.worker @conv3.w0 layer @conv3 index 0 iterations 6 cycles 8 macs 3888 buffer 198 on <1, 0> (%i : !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 24, 6>
// CHECK-NEXT:   routed_message.message @conv3.Inputs %i from <0, 0> to [<1, 0>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 72, 6>
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "conv3.Inputs"
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "conv3.src.Inputs" {
// CHECK-NEXT:       pe_isa.loop count 6 {
// CHECK-NEXT:         pe_isa.mem_read bytes 72
// CHECK-NEXT:         pe_isa.send tag 0
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "conv3.w0" {
// CHECK-NEXT:       pe_isa.loop count 6 {
// CHECK-NEXT:         pe_isa.recv tag 0
// CHECK-NEXT:         pe_isa.compute cycles 8
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 4 : i64, height = 4 : i64, memory_pes = #chip.pes[<0, 0>, <3, 3>], link_bits = 512 : i64, flit_bits = 512 : i64, macs_per_cycle = 256 : i64, word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}> : () -> ()
// GENERIC-NEXT:   "func.func"() <{sym_name = "net", function_type = (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>}> ({
// GENERIC-NEXT:   ^bb0(%img: tensor<1x3x8x8xi8>):
// GENERIC-NEXT:     %c1 = "tensor_op.layer"(%img) <{sym_name = "conv1", kind = "conv2d", model = "m", cores = 2 : i64, problem = #tensor_op.problem<"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*">, bind = ["Inputs"]}> : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:     "tensor_op.output"(%c1) <{model = "m"}> : (tensor<1x4x6x6xi8>) -> ()
// GENERIC-NEXT:     "func.return"(%c1) : (tensor<1x4x6x6xi8>) -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT:   "func.func"() <{sym_name = "macs_per_worker", function_type = (i64) -> i64}> ({
// GENERIC-NEXT:   ^bb0(%workers: i64):
// GENERIC-NEXT:     %total = "arith.constant"() <{value = 3888 : i64}> : () -> i64
// GENERIC-NEXT:     %unused = "arith.constant"() <{value = 7 : i64}> : () -> i64
// GENERIC-NEXT:     %per = "arith.divui"(%total, %workers) : (i64, i64) -> i64
// GENERIC-NEXT:     "func.return"(%per) : (i64) -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT:   "tiled_subop.layer"() <{sym_name = "conv2", kind = "conv2d", model = "m", workers = 1 : i64, cycles = 48 : i64, macs = 3888 : i64, batch = 1 : i64}> : () -> ()
// GENERIC-NEXT:   %t = "tiled_subop.source"() <{sym_name = "conv2.src.Inputs", layer = @conv2, space = "Inputs", iterations = 6 : i64, cycles = 0 : i64, memory}> : () -> !tiled_subop.stream<"Inputs", 72, 6>
// GENERIC-NEXT:   "placed_subop.layer"() <{sym_name = "conv3", kind = "conv2d", model = "m", workers = 1 : i64, cycles = 48 : i64, macs = 3888 : i64, batch = 1 : i64}> : () -> ()
// GENERIC-NEXT:   %i = "placed_subop.source"() <{sym_name = "conv3.src.Inputs", layer = @conv3, space = "Inputs", iterations = 6 : i64, cycles = 0 : i64, pe = #chip.pe<0, 0>, memory}> : () -> !tiled_subop.stream<"Inputs", 72, 6>
// GENERIC-NEXT:   %o = "placed_subop.worker"(%i) <{sym_name = "conv3.w0", layer = @conv3, index = 0 : i64, iterations = 6 : i64, cycles = 8 : i64, macs = 3888 : i64, buffer = 198 : i64, pe = #chip.pe<1, 0>}> : (!tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 24, 6>
// GENERIC-NEXT:   "routed_message.message"(%i) <{sym_name = "conv3.Inputs", src = #chip.pe<0, 0>, dsts = #chip.pes[<1, 0>], flits = 2 : i64, packets = 6 : i64, priority = 0 : i64, vc = 0 : i64, mode = "tree", route = #chip.route<<0, 0> -> <1, 0>>}> : (!tiled_subop.stream<"Inputs", 72, 6>) -> ()
// GENERIC-NEXT:   "pe_isa.message"() <{tag = 0 : i64, src = #chip.pe<0, 0>, dsts = #chip.pes[<1, 0>], flits = 2 : i64, vc = 0 : i64, mode = "tree", route = #chip.route<<0, 0> -> <1, 0>>, label = "conv3.Inputs"}> : () -> ()
// GENERIC-NEXT:   "pe_isa.program"() <{pe = #chip.pe<0, 0>}> ({
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv3.src.Inputs"}> ({
// GENERIC-NEXT:       "pe_isa.loop"() <{count = 6 : i64}> ({
// GENERIC-NEXT:         "pe_isa.mem_read"() <{bytes = 72 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.send"() <{tag = 0 : i64}> : () -> ()
// GENERIC-NEXT:       }) : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT:   "pe_isa.program"() <{pe = #chip.pe<1, 0>}> ({
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv3.w0"}> ({
// GENERIC-NEXT:       "pe_isa.loop"() <{count = 6 : i64}> ({
// GENERIC-NEXT:         "pe_isa.recv"() <{tag = 0 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.compute"() <{cycles = 8 : i64}> : () -> ()
// GENERIC-NEXT:       }) : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT: }) : () -> ()

// CANON:      builtin.module {
// CANON-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}
// CANON-NEXT:   func.func @net(%img: tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8> {
// CANON-NEXT:     %c1 = tensor_op.layer @conv1 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CANON-NEXT:     tensor_op.output %c1 model "m" : tensor<1x4x6x6xi8>
// CANON-NEXT:     func.return %c1 : tensor<1x4x6x6xi8>
// CANON-NEXT:   }
// CANON-NEXT:   func.func @macs_per_worker(%workers: i64) -> i64 {
// CANON-NEXT:     %total = arith.constant 3888 : i64
// CANON-NEXT:     %per = arith.divui %total, %workers : i64
// CANON-NEXT:     func.return %per : i64
// CANON-NEXT:   }
// CANON-NEXT:   tiled_subop.layer @conv2 kind "conv2d" model "m" workers 1 cycles 48 macs 3888 batch 1
// CANON-NEXT:   %t = tiled_subop.source @conv2.src.Inputs layer @conv2 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CANON-NEXT:   placed_subop.layer @conv3 kind "conv2d" model "m" workers 1 cycles 48 macs 3888 batch 1
// CANON-NEXT:   %i = placed_subop.source @conv3.src.Inputs layer @conv3 space "Inputs" iterations 6 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 72, 6>
// CANON-NEXT:   %o = placed_subop.worker @conv3.w0 layer @conv3 index 0 iterations 6 cycles 8 macs 3888 buffer 198 on <1, 0> (%i : !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 24, 6>
// CANON-NEXT:   routed_message.message @conv3.Inputs %i from <0, 0> to [<1, 0>] flits 2 packets 6 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>> : !tiled_subop.stream<"Inputs", 72, 6>
// CANON-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "conv3.Inputs"
// CANON-NEXT:   pe_isa.program on <0, 0> {
// CANON-NEXT:     pe_isa.block "conv3.src.Inputs" {
// CANON-NEXT:       pe_isa.loop count 6 {
// CANON-NEXT:         pe_isa.mem_read bytes 72
// CANON-NEXT:         pe_isa.send tag 0
// CANON-NEXT:       }
// CANON-NEXT:     }
// CANON-NEXT:   }
// CANON-NEXT:   pe_isa.program on <1, 0> {
// CANON-NEXT:     pe_isa.block "conv3.w0" {
// CANON-NEXT:       pe_isa.loop count 6 {
// CANON-NEXT:         pe_isa.recv tag 0
// CANON-NEXT:         pe_isa.compute cycles 8
// CANON-NEXT:       }
// CANON-NEXT:     }
// CANON-NEXT:   }
// CANON-NEXT: }
