// RUN: focus-opt %s -p 'dataflow-search{cache=false}' | filecheck %s
// RUN: focus-opt %s -p 'dataflow-search{cache=false objective=energy}' | filecheck %s --check-prefix=ENERGY
// RUN: focus-opt %s -p 'dataflow-search{cache=false}' | focus-opt | filecheck %s --check-prefix=REPARSE

builtin.module attributes {focus.batch = 2 : i64} {
  chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 0>] link 512 flit 512 macs 256 {num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, word_bits = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
  %0 = tensor_op.input @img model "m" : tensor<1x16x10x10xi8>
  %1 = tensor_op.layer @conv1 kind "conv2d" model "m" cores 2 problem <"C=16 M=32 R=3 S=3 N=1 P=8 Q=8 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%0) : (tensor<1x16x10x10xi8>) -> tensor<1x32x8x8xi8>
  %2 = tensor_op.layer @fc kind "matmul" model "m" cores 4 problem <"M=1 K=2048 N=64 | Weights[K][N] Inputs[M][K] Outputs[M][N]*"> bind ["Inputs"] (%1) : (tensor<1x32x8x8xi8>) -> tensor<1x64xi8>
  tensor_op.output %2 model "m" : tensor<1x64xi8>
}

// Every layer: a layer op with the chosen mapping, memory and producer sources, K workers, one sink.
// CHECK:      tiled_subop.layer @conv1 kind "conv2d" model "m" workers 2 cycles {{[0-9]+}} macs 294912 batch 2
// CHECK-SAME: mapping = "spatial[
// CHECK:      tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations [[IT:[0-9]+]] cycles 0 memory
// CHECK:      tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations [[IT]] cycles 0 memory
// CHECK:      tiled_subop.worker @conv1.w0 layer @conv1 index 0 iterations [[IT]]
// CHECK:      tiled_subop.worker @conv1.w1 layer @conv1 index 1 iterations [[IT]]
// CHECK-NOT:  tiled_subop.worker @conv1.w2
// CHECK:      %[[A:.*]] = tiled_subop.sink @conv1.sink layer @conv1 (
// CHECK-SAME: -> tensor<1x32x8x8xi8>
// The fc layer reads its inputs from the conv1 sink, splits the reduction (K) and so reduces at the sink,
// and writes the model output back.
// CHECK:      tiled_subop.layer @fc kind "matmul" model "m" workers {{[1-4]}}
// CHECK:      tiled_subop.source @fc.src.Inputs layer @fc space "Inputs" iterations {{[0-9]+}} cycles 0 from %[[A]] : tensor<1x32x8x8xi8>
// CHECK:      tiled_subop.sink @fc.sink layer @fc {{(reduce )?}}writeback
// CHECK-NOT:  tensor_op.

// ENERGY: tiled_subop.layer @conv1
// ENERGY: tiled_subop.sink @fc.sink

// REPARSE: tiled_subop.layer @conv1
