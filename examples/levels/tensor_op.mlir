// A two-layer CNN at the tensor_op level on a 4x4 chip (made by `focus import`). Try:
//   focus-opt examples/levels/tensor_op.mlir -p focus-pipeline -t sim
//   focus-opt examples/levels/tensor_op.mlir -p dataflow-search,place-subops,route-messages
builtin.module attributes {focus.batch = 1 : i64} {
  chip.device @focus mesh 4 x 4 memory [<0, 0>, <1, 0>, <2, 0>, <3, 0>, <0, 1>, <3, 1>, <0, 2>, <3, 2>, <0, 3>, <1, 3>, <2, 3>, <3, 3>] link 1024 flit 1024 macs 256 {preset = "focus", memory_layout = "edge", router_delay = 1 : i64, link_delay = 1 : i64, buffers = [["GlobalBuffer", 1 : i64, 131072 : i64, 8 : i64], ["PEInputBuffer", 16 : i64, 8192 : i64, 8 : i64], ["PEWeightBuffer", 64 : i64, 8192 : i64, 8 : i64], ["PEAccuBuffer", 64 : i64, 48 : i64, 24 : i64], ["PEWeightRegs", 256 : i64, 64 : i64, 8 : i64]], word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 16 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, pe_buffer_bytes = 131072 : i64, memory_compute}
  %0 = tensor_op.input @m.img model "m" : tensor<1x16x10x10xi8>
  %1 = tensor_op.layer @m.conv1 kind "conv2d" model "m" cores 2 problem <"C=16 M=32 R=3 S=3 N=1 P=8 Q=8 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%0) : (tensor<1x16x10x10xi8>) -> tensor<1x32x8x8xi8>
  %2 = tensor_op.layer @m.conv2 kind "conv2d" model "m" cores 2 problem <"C=32 M=32 R=1 S=1 N=1 P=8 Q=8 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%1) : (tensor<1x32x8x8xi8>) -> tensor<1x32x8x8xi8>
  tensor_op.output %2 model "m" : tensor<1x32x8x8xi8>
}
