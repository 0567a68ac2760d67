chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, word_bits = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%0 = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%1 = tensor_op.layer @conv1 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%0) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
tensor_op.output %1 model "m" : tensor<1x4x6x6xi8>
