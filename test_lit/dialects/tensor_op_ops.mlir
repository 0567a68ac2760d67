// RUN: FOCUS_ROUNDTRIP
// RUN: FOCUS_GENERIC_ROUNDTRIP

// Two concurrent models on one device: a CNN with a residual add (a DAG: %c1 has two users) and an MLP.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%img = tensor_op.input @img model "cnn" : tensor<1x3x8x8xi8>
%c1 = tensor_op.layer @conv1 kind "conv2d" model "cnn" cores 4 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
%dw = tensor_op.layer @dw1 kind "depthwise" model "cnn" cores 2 problem <"C=4 R=1 S=1 N=1 P=6 Q=6 | Weights[C][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][C][Q][P]*"> bind ["Inputs"] (%c1) : (tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
%sum = tensor_op.layer @res1 kind "add" model "cnn" cores 0 problem <"N=1 C=4 Q=6 P=6 | A[N][C][Q][P] B[N][C][Q][P] Outputs[N][C][Q][P]*"> bind ["A", "B"] (%c1, %dw) : (tensor<1x4x6x6xi8>, tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
%cat = tensor_op.layer @cat1 kind "concat" model "cnn" cores 1 problem <"N=1 C=4 Q=6 P=6 | A[N][C][Q][P] Outputs[N][C][Q][P]*"> bind ["A"] (%sum) : (tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
tensor_op.output %cat model "cnn" : tensor<1x4x6x6xi8>
%x = tensor_op.input @x model "mlp" : tensor<2x16xi8>
%fc = tensor_op.layer @fc1 kind "matmul" model "mlp" cores 1 problem <"M=2 K=16 N=8 | Weights[K][N] Inputs[M][K] Outputs[M][N]*"> bind ["Inputs"] (%x) : (tensor<2x16xi8>) -> tensor<2x8xi8>
tensor_op.output %fc model "mlp" : tensor<2x8xi8>

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}
// CHECK-NEXT:   %img = tensor_op.input @img model "cnn" : tensor<1x3x8x8xi8>
// CHECK-NEXT:   %c1 = tensor_op.layer @conv1 kind "conv2d" model "cnn" cores 4 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   %dw = tensor_op.layer @dw1 kind "depthwise" model "cnn" cores 2 problem <"C=4 R=1 S=1 N=1 P=6 Q=6 | Weights[C][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][C][Q][P]*"> bind ["Inputs"] (%c1) : (tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   %sum = tensor_op.layer @res1 kind "add" model "cnn" cores 0 problem <"N=1 C=4 Q=6 P=6 | A[N][C][Q][P] B[N][C][Q][P] Outputs[N][C][Q][P]*"> bind ["A", "B"] (%c1, %dw) : (tensor<1x4x6x6xi8>, tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   %cat = tensor_op.layer @cat1 kind "concat" model "cnn" cores 1 problem <"N=1 C=4 Q=6 P=6 | A[N][C][Q][P] Outputs[N][C][Q][P]*"> bind ["A"] (%sum) : (tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
// CHECK-NEXT:   tensor_op.output %cat model "cnn" : tensor<1x4x6x6xi8>
// CHECK-NEXT:   %x = tensor_op.input @x model "mlp" : tensor<2x16xi8>
// CHECK-NEXT:   %fc = tensor_op.layer @fc1 kind "matmul" model "mlp" cores 1 problem <"M=2 K=16 N=8 | Weights[K][N] Inputs[M][K] Outputs[M][N]*"> bind ["Inputs"] (%x) : (tensor<2x16xi8>) -> tensor<2x8xi8>
// CHECK-NEXT:   tensor_op.output %fc model "mlp" : tensor<2x8xi8>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 4 : i64, height = 4 : i64, memory_pes = #chip.pes[<0, 0>, <3, 3>], link_bits = 512 : i64, flit_bits = 512 : i64, macs_per_cycle = 256 : i64, word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64}> : () -> ()
// GENERIC-NEXT:   %img = "tensor_op.input"() <{sym_name = "img", model = "cnn"}> : () -> tensor<1x3x8x8xi8>
// GENERIC-NEXT:   %c1 = "tensor_op.layer"(%img) <{sym_name = "conv1", kind = "conv2d", model = "cnn", cores = 4 : i64, problem = #tensor_op.problem<"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*">, bind = ["Inputs"]}> : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   %dw = "tensor_op.layer"(%c1) <{sym_name = "dw1", kind = "depthwise", model = "cnn", cores = 2 : i64, problem = #tensor_op.problem<"C=4 R=1 S=1 N=1 P=6 Q=6 | Weights[C][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][C][Q][P]*">, bind = ["Inputs"]}> : (tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   %sum = "tensor_op.layer"(%c1, %dw) <{sym_name = "res1", kind = "add", model = "cnn", cores = 0 : i64, problem = #tensor_op.problem<"N=1 C=4 Q=6 P=6 | A[N][C][Q][P] B[N][C][Q][P] Outputs[N][C][Q][P]*">, bind = ["A", "B"]}> : (tensor<1x4x6x6xi8>, tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   %cat = "tensor_op.layer"(%sum) <{sym_name = "cat1", kind = "concat", model = "cnn", cores = 1 : i64, problem = #tensor_op.problem<"N=1 C=4 Q=6 P=6 | A[N][C][Q][P] Outputs[N][C][Q][P]*">, bind = ["A"]}> : (tensor<1x4x6x6xi8>) -> tensor<1x4x6x6xi8>
// GENERIC-NEXT:   "tensor_op.output"(%cat) <{model = "cnn"}> : (tensor<1x4x6x6xi8>) -> ()
// GENERIC-NEXT:   %x = "tensor_op.input"() <{sym_name = "x", model = "mlp"}> : () -> tensor<2x16xi8>
// GENERIC-NEXT:   %fc = "tensor_op.layer"(%x) <{sym_name = "fc1", kind = "matmul", model = "mlp", cores = 1 : i64, problem = #tensor_op.problem<"M=2 K=16 N=8 | Weights[K][N] Inputs[M][K] Outputs[M][N]*">, bind = ["Inputs"]}> : (tensor<2x16xi8>) -> tensor<2x8xi8>
// GENERIC-NEXT:   "tensor_op.output"(%fc) <{model = "mlp"}> : (tensor<2x8xi8>) -> ()
// GENERIC-NEXT: }) : () -> ()

// -----

// Batch 4 (module attribute), a layer with no operands (every space from memory), a stride-2 conv
// (projection coefficients) and a pool.
builtin.module attributes {focus.batch = 4 : i64} {
  chip.device @d mesh 2 x 2 memory [<0, 0>] link 256 flit 256 macs 64 {word_bits = 8 : i64, num_vcs = 2 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 1.6e+01 : f64, dram_latency = 50 : i64}
  %outer = tensor_op.layer @outer kind "einsum" model "m" cores 1 problem <"I=4 J=4 | A[I] B[J] Out[I][J]*"> bind [] : () -> tensor<4x4xi32>
  %img = tensor_op.input @img model "m" : tensor<1x2x7x7xi8>
  %s2 = tensor_op.layer @stem kind "conv2d" model "m" cores 3 problem <"C=2 M=2 R=3 S=3 N=1 P=3 Q=3 | Weights[C][M][R][S] Inputs[N][C][R+2*P][S+2*Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x2x7x7xi8>) -> tensor<1x2x3x3xi8>
  %pool = tensor_op.layer @pool kind "pool" model "m" cores 1 problem <"N=1 C=2 R=3 S=3 P=1 Q=1 | Inputs[N][C][R+P][S+Q] Outputs[N][C][Q][P]*"> bind ["Inputs"] (%s2) : (tensor<1x2x3x3xi8>) -> tensor<1x2x1x1xi8>
  tensor_op.output %pool model "m" : tensor<1x2x1x1xi8>
  tensor_op.output %outer model "m" : tensor<4x4xi32>
}

// CHECK:      builtin.module attributes {focus.batch = 4 : i64} {
// CHECK-NEXT:   chip.device @d mesh 2 x 2 memory [<0, 0>] link 256 flit 256 macs 64 {word_bits = 8 : i64, num_vcs = 2 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 1.600000e+01 : f64, dram_latency = 50 : i64}
// CHECK-NEXT:   %outer = tensor_op.layer @outer kind "einsum" model "m" cores 1 problem <"I=4 J=4 | A[I] B[J] Out[I][J]*"> bind [] : () -> tensor<4x4xi32>
// CHECK-NEXT:   %img = tensor_op.input @img model "m" : tensor<1x2x7x7xi8>
// CHECK-NEXT:   %s2 = tensor_op.layer @stem kind "conv2d" model "m" cores 3 problem <"C=2 M=2 R=3 S=3 N=1 P=3 Q=3 | Weights[C][M][R][S] Inputs[N][C][R+2*P][S+2*Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x2x7x7xi8>) -> tensor<1x2x3x3xi8>
// CHECK-NEXT:   %pool = tensor_op.layer @pool kind "pool" model "m" cores 1 problem <"N=1 C=2 R=3 S=3 P=1 Q=1 | Inputs[N][C][R+P][S+Q] Outputs[N][C][Q][P]*"> bind ["Inputs"] (%s2) : (tensor<1x2x3x3xi8>) -> tensor<1x2x1x1xi8>
// CHECK-NEXT:   tensor_op.output %pool model "m" : tensor<1x2x1x1xi8>
// CHECK-NEXT:   tensor_op.output %outer model "m" : tensor<4x4xi32>
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 2 : i64, height = 2 : i64, memory_pes = #chip.pes[<0, 0>], link_bits = 256 : i64, flit_bits = 256 : i64, macs_per_cycle = 64 : i64, word_bits = 8 : i64, num_vcs = 2 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 1.600000e+01 : f64, dram_latency = 50 : i64}> : () -> ()
// GENERIC-NEXT:   %outer = "tensor_op.layer"() <{sym_name = "outer", kind = "einsum", model = "m", cores = 1 : i64, problem = #tensor_op.problem<"I=4 J=4 | A[I] B[J] Out[I][J]*">, bind = []}> : () -> tensor<4x4xi32>
// GENERIC-NEXT:   %img = "tensor_op.input"() <{sym_name = "img", model = "m"}> : () -> tensor<1x2x7x7xi8>
// GENERIC-NEXT:   %s2 = "tensor_op.layer"(%img) <{sym_name = "stem", kind = "conv2d", model = "m", cores = 3 : i64, problem = #tensor_op.problem<"C=2 M=2 R=3 S=3 N=1 P=3 Q=3 | Weights[C][M][R][S] Inputs[N][C][R+2*P][S+2*Q] Outputs[N][M][Q][P]*">, bind = ["Inputs"]}> : (tensor<1x2x7x7xi8>) -> tensor<1x2x3x3xi8>
// GENERIC-NEXT:   %pool = "tensor_op.layer"(%s2) <{sym_name = "pool", kind = "pool", model = "m", cores = 1 : i64, problem = #tensor_op.problem<"N=1 C=2 R=3 S=3 P=1 Q=1 | Inputs[N][C][R+P][S+Q] Outputs[N][C][Q][P]*">, bind = ["Inputs"]}> : (tensor<1x2x3x3xi8>) -> tensor<1x2x1x1xi8>
// GENERIC-NEXT:   "tensor_op.output"(%pool) <{model = "m"}> : (tensor<1x2x1x1xi8>) -> ()
// GENERIC-NEXT:   "tensor_op.output"(%outer) <{model = "m"}> : (tensor<4x4xi32>) -> ()
// GENERIC-NEXT: }) {focus.batch = 4 : i64} : () -> ()
