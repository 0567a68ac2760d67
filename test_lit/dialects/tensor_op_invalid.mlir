// RUN: focus-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every tensor_op verifier message: tensor_op.layer, and the tensor_op.problem attribute (its message
// carries frontend.problem's parse/validation error; every reachable one is listed).

// A layer kind the compiler does not know.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv1 kind "conv3d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.layer' @conv1 kind 'conv3d' is not one of conv2d, depthwise, matmul, add, concat, pool, einsum

// -----

// A negative core budget.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv2 kind "conv2d" model "m" cores -1 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.layer' @conv2 cores (-1) must be >= 0 (0 means auto)

// -----

// Two operands, one bound data space.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv3 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img, %img) : (tensor<1x3x8x8xi8>, tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.layer' @conv3 has 2 operands but binds 1 data spaces

// -----

// An operand with no bound data space.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv4 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind [] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.layer' @conv4 has 1 operands but binds 0 data spaces

// -----

// Binding a data space the problem does not have.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv5 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Activations"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.layer' @conv5 binds unknown data space 'Activations' (the problem has Weights, Inputs, Outputs)

// -----

// Feeding the read-write output space from an operand.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv6 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Outputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.layer' @conv6 binds its output data space 'Outputs' to an operand

// -----

// The same data space bound to two operands.
%a = tensor_op.input @a model "m" : tensor<4x4xi8>
%y = tensor_op.layer @add1 kind "add" model "m" cores 2 problem <"I=4 J=4 | A[I][J] B[I][J] Out[I][J]*"> bind ["A", "A"] (%a, %a) : (tensor<4x4xi8>, tensor<4x4xi8>) -> tensor<4x4xi8>
// CHECK: 'tensor_op.layer' @add1 binds a data space twice: ['A', 'A']

// -----

// Two read-write data spaces.
%y = tensor_op.layer @split kind "einsum" model "m" cores 2 problem <"I=4 | A[I] Lo[I]* Hi[I]*"> bind [] : () -> tensor<4xi8>
// CHECK: 'tensor_op.layer' @split problem must have exactly one read-write data space, has 2

// -----

// A result type that does not match the output space (4x6x6 = 144 elements, not 4x5x5).
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv7 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][M][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x5x5xi8>
// CHECK: 'tensor_op.layer' @conv7 result has 100 elements but its output data space Outputs has 144

// -----

// Problem text: no '|' between dimensions and data spaces.
"test.op"() {problem = #tensor_op.problem<"C=3 M=4 W[C][M] Out[M]*">} : () -> ()
// CHECK: 'tensor_op.problem' expected '<dim>=<bound> ... | <space>[<rank>]... ...'

// -----

// Problem text: a dimension without a bound.
"test.op"() {problem = #tensor_op.problem<"C=3 M | W[C] Out[M]*">} : () -> ()
// CHECK: 'tensor_op.problem' bad dimension 'M', expected <name>=<bound>

// -----

// Problem text: an unclosed rank.
"test.op"() {problem = #tensor_op.problem<"C=3 M=4 | W[C Out[M]*">} : () -> ()
// CHECK: 'tensor_op.problem' bad data space 'W[C', expected <name>[<rank>]...

// -----

// Problem text: a malformed projection term.
"test.op"() {problem = #tensor_op.problem<"C=3 M=4 | W[C] Out[2*M+-R]*">} : () -> ()
// CHECK: 'tensor_op.problem' bad projection term '-R' in 'Out[2*M+-R]*'

// -----

// Problem text: no dimension at all.
"test.op"() {problem = #tensor_op.problem<"| W[C] Out[M]*">} : () -> ()
// CHECK: 'tensor_op.problem' no dimensions

// -----

// Problem text: a dimension declared twice.
"test.op"() {problem = #tensor_op.problem<"C=3 C=4 | Out[C]*">} : () -> ()
// CHECK: 'tensor_op.problem' duplicate dimension in ['C', 'C']

// -----

// Problem text: a zero bound.
"test.op"() {problem = #tensor_op.problem<"C=0 | Out[C]*">} : () -> ()
// CHECK: 'tensor_op.problem' dimension C has bound 0, expected a positive integer

// -----

// Problem text: no data space.
"test.op"() {problem = #tensor_op.problem<"C=3 | ">} : () -> ()
// CHECK: 'tensor_op.problem' no data spaces

// -----

// Problem text: a data space declared twice.
"test.op"() {problem = #tensor_op.problem<"C=3 | A[C] A[C]*">} : () -> ()
// CHECK: 'tensor_op.problem' duplicate data space in ['A', 'A']

// -----

// Problem text: a projection over an undeclared dimension.
"test.op"() {problem = #tensor_op.problem<"C=3 | W[C] Out[M]*">} : () -> ()
// CHECK: 'tensor_op.problem' data space Out uses unknown dimension 'M' (dimensions are C)

// -----

// Problem text: no read-write (output) data space.
"test.op"() {problem = #tensor_op.problem<"C=3 | W[C] Out[C]">} : () -> ()
// CHECK: 'tensor_op.problem' no read-write (output) data space

// -----

// A bad problem inside a layer fails when the attribute is parsed.
%img = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>
%y = tensor_op.layer @conv8 kind "conv2d" model "m" cores 2 problem <"C=3 M=4 R=3 S=3 N=1 P=6 Q=6 | Weights[C][M][R][S] Inputs[N][C][R+P][S+Q] Outputs[N][K][Q][P]*"> bind ["Inputs"] (%img) : (tensor<1x3x8x8xi8>) -> tensor<1x4x6x6xi8>
// CHECK: 'tensor_op.problem' data space Outputs uses unknown dimension 'K' (dimensions are C, M, R, S, N, P, Q)
