// RUN: focus-opt %s -p 'focus-pipeline{preset=focus}' | filecheck %s
// RUN: focus-opt %s -p 'focus-pipeline{preset=focus-original}' | filecheck %s --check-prefix=ORIG
// RUN: focus-opt %s -p 'focus-pipeline' | focus-opt -p pe-isa-check | filecheck %s --check-prefix=CHECKED
// RUN: focus-opt %s -p 'focus-pipeline' -t 'sim{summary=true}' | filecheck %s --check-prefix=SIM
// RUN: not focus-opt %s -p 'focus-pipeline{preset=fast}' 2>&1 | filecheck %s --check-prefix=BAD

// Two chained layers on a 4x4 chip whose edge PEs reach memory and may compute.
builtin.module attributes {focus.batch = 2 : i64} {
  chip.device @d mesh 4 x 4 memory [<0, 0>, <1, 0>, <2, 0>, <3, 0>, <0, 1>, <3, 1>, <0, 2>, <3, 2>, <0, 3>, <1, 3>, <2, 3>, <3, 3>] link 512 flit 512 macs 256 {num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, word_bits = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
  %0 = tensor_op.input @img model "m" : tensor<1x16x10x10xi8>
  %1 = tensor_op.layer @conv1 kind "conv2d" model "m" cores 2 problem <"C=16 M=32 R=3 S=3 N=1 P=8 Q=8 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%0) : (tensor<1x16x10x10xi8>) -> tensor<1x32x8x8xi8>
  %2 = tensor_op.layer @conv2 kind "conv2d" model "m" cores 2 problem <"C=32 M=32 R=1 S=1 N=1 P=8 Q=8 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%1) : (tensor<1x32x8x8xi8>) -> tensor<1x32x8x8xi8>
  tensor_op.output %2 model "m" : tensor<1x32x8x8xi8>
}

// The whole flow ends in per-PE programs and a message table; no earlier level is left.
// CHECK:     chip.device @d
// CHECK:     pe_isa.message tag 0 from
// CHECK:     pe_isa.program on <
// CHECK-DAG:   pe_isa.block "conv1.w0"
// CHECK-DAG:   pe_isa.block "conv2.sink"
// CHECK-DAG:   pe_isa.mem_write bytes
// CHECK-NOT: tensor_op.
// CHECK-NOT: tiled_subop.
// CHECK-NOT: placed_subop.
// CHECK-NOT: routed_message.

// The original toolchain's choices: star routes become one unicast copy per destination, and no write-back.
// ORIG:     pe_isa.message tag 0 from
// ORIG-NOT: pe_isa.mem_write

// CHECKED: pe_isa.program

// SIM:      "finished": true
// SIM:      "layers": {
// SIM-NEXT:   "conv1": {
// SIM:        "conv2": {
// SIM:      "total_cycles": {{[1-9][0-9]*}}

// BAD: focus-opt: error: preset 'fast' is unknown (valid: focus, focus-original)
