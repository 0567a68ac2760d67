// Every strategy must place every sub-operator legally; the layouts differ, so the checks are the
// rules (placed-subop-check) and not one fixed layout. The device's memory PEs (the four corners) may
// compute, so the three writeback sinks (conv2, conv3, fc2: they mem_write) sit on corners.
// RUN: focus-opt %s -p 'place-subops{strategy=hilbert},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,FIT,CORNER
// RUN: focus-opt %s -p 'place-subops{strategy=snake},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,FIT,CORNER
// RUN: focus-opt %s -p 'place-subops{strategy=random seed=3},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,FIT,CORNER
// RUN: focus-opt %s -p 'place-subops{strategy=anneal seed=1 iterations=3000},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,FIT,CORNER
//
// Writeback needs memory PEs that compute: without, one clear error (run dataflow-search writeback=false).
// RUN: not focus-opt %s -p 'place-subops{memory-compute=no}' 2>&1 | filecheck %s --check-prefix=NOWB
// RUN: sed -e 's/, memory_compute}/}/' %s | not focus-opt -p 'place-subops' 2>&1 | filecheck %s --check-prefix=NOWB
// NOWB: focus-opt: error: place-subops: sink 'conv2.sink' writes back to memory, but memory PEs may not host compute; use memory-compute (a device with memory_compute) or dataflow-search writeback=false
//
// The original FOCUS setting (sed: no writeback, memory PEs do not compute): the original layout
// leaves 6 cores on a 4x4 mesh, so 13 workers/sinks do not fit ...
// RUN: sed -e 's/ writeback//' -e 's/, memory_compute}/}/' %s | not focus-opt -p 'place-subops{memory-layout=original}' 2>&1 | filecheck %s --check-prefix=FULL
// FULL: focus-opt: error: place-subops: needs 13 compute PEs, the 4x4 mesh has 6 (16 minus 10 memory PEs); use a larger mesh or allow time sharing
// ... unless PEs are time-shared (evenly: at most ceil(13 / 6) = 3 per PE); the device gets the layout.
// RUN: sed -e 's/ writeback//' -e 's/, memory_compute}/}/' %s | focus-opt -p 'place-subops{memory-layout=original allow-time-sharing=true strategy=anneal iterations=2000},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,SHARED
// SHARED: placed-subop-check: placed 23 subops on {{[0-9]+}} PEs, sources on memory PEs: yes, producer sources with their sinks: yes, writeback sinks on memory PEs: yes, max compute groups per PE: 3 (limit 3), time-shared PEs: {{[1-6]}}, estimated cost: {{[0-9]+}}
// SHARED: chip.device @d mesh 4 x 4 memory [<0, 0>, <1, 0>, <2, 0>, <0, 1>, <3, 1>, <0, 2>, <3, 2>, <1, 3>, <2, 3>, <3, 3>]
// RUN: sed -e 's/ writeback//' -e 's/, memory_compute}/}/' %s | focus-opt -p 'place-subops{memory-layout=edge allow-time-sharing=true},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,EDGE
// EDGE: max compute groups per PE: 4 (limit 4)
// EDGE: chip.device @d mesh 4 x 4 memory [<0, 0>, <1, 0>, <2, 0>, <3, 0>, <0, 1>, <3, 1>, <0, 2>, <3, 2>, <0, 3>, <1, 3>, <2, 3>, <3, 3>]
// With memory compute, the edge layout fits everything one per PE, writeback sinks on edge PEs.
// RUN: focus-opt %s -p 'place-subops{memory-layout=edge strategy=anneal iterations=2000},placed-subop-check{print=true}' | filecheck %s --check-prefixes=CHECK,FIT,WBEDGE
//
// RUN: not focus-opt %s -p 'place-subops{strategy=tetris}' 2>&1 | filecheck %s --check-prefix=BADSTRAT
// BADSTRAT: focus-opt: error: place-subops: strategy 'tetris', expected one of hilbert, snake, random, anneal

// FIT:   placed-subop-check: placed 23 subops on {{1[3-6]}} PEs, sources on memory PEs: yes, producer sources with their sinks: yes, writeback sinks on memory PEs: yes, max compute groups per PE: 1 (limit 1), time-shared PEs: 0, estimated cost: {{[0-9]+}}
// CHECK: placed_subop.layer @conv1 kind "conv2d" model "cnn" workers 2
// CHECK: placed_subop.source @conv1.src.Weights layer @conv1 {{.*}} on <{{[0-9]}}, {{[0-9]}}> memory
// CHECK: placed_subop.worker @conv1.w0 layer @conv1 {{.*}} on <{{[0-9]}}, {{[0-9]}}> (
// CHECK: placed_subop.sink @conv1.sink layer @conv1 on <[[SINK:[0-9], [0-9]]]> (
// CHECK: placed_subop.source @conv2.src.Inputs layer @conv2 {{.*}} on <[[SINK]]> from
// CORNER: placed_subop.sink @conv2.sink layer @conv2 on <{{[03]}}, {{[03]}}> writeback
// WBEDGE: placed_subop.sink @conv2.sink layer @conv2 on <{{([03], [0-3])|([0-3], [03])}}> writeback
// CHECK: placed_subop.source @conv3.src.Inputs layer @conv3 {{.*}} on <[[SINK]]> from
// CORNER: placed_subop.sink @conv3.sink layer @conv3 on <{{[03]}}, {{[03]}}> writeback
// CHECK: placed_subop.sink @fc2.sink layer @fc2 on <{{[0-9]}}, {{[0-9]}}> reduce
// CORNER-SAME: writeback

chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 0>, <0, 3>, <3, 3>] link 512 flit 256 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
// model "cnn": conv1 -> conv2, and conv1 -> conv3 (one tensor read by two layers)
tiled_subop.layer @conv1 kind "conv2d" model "cnn" workers 2 cycles 48 macs 3888 batch 2
%w1:2 = tiled_subop.source @conv1.src.Weights layer @conv1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Weights", 54, 1>
%i1 = tiled_subop.source @conv1.src.Inputs layer @conv1 space "Inputs" iterations 6 cycles 0 memory -> !tiled_subop.stream<"Inputs", 72, 6>
%o10 = tiled_subop.worker @conv1.w0 layer @conv1 index 0 iterations 6 cycles 8 macs 1944 buffer 198 (%w1#0, %i1 : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%o11 = tiled_subop.worker @conv1.w1 layer @conv1 index 1 iterations 6 cycles 8 macs 1944 buffer 198 (%w1#1, %i1 : !tiled_subop.stream<"Weights", 54, 1>, !tiled_subop.stream<"Inputs", 72, 6>) -> !tiled_subop.stream<"Outputs", 12, 6>
%a = tiled_subop.sink @conv1.sink layer @conv1 (%o10, %o11 : !tiled_subop.stream<"Outputs", 12, 6>, !tiled_subop.stream<"Outputs", 12, 6>) -> tensor<1x4x6x6xi8>
tiled_subop.layer @conv2 kind "conv2d" model "cnn" workers 2 cycles 40 macs 1152 batch 2
%w2 = tiled_subop.source @conv2.src.Weights layer @conv2 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 144, 1>
%i2:2 = tiled_subop.source @conv2.src.Inputs layer @conv2 space "Inputs" iterations 4 cycles 0 from %a : tensor<1x4x6x6xi8> -> !tiled_subop.stream<"Inputs", 48, 4>, !tiled_subop.stream<"Inputs", 48, 4>
%o20 = tiled_subop.worker @conv2.w0 layer @conv2 index 0 iterations 4 cycles 10 macs 576 buffer 240 (%w2, %i2#0 : !tiled_subop.stream<"Weights", 144, 1>, !tiled_subop.stream<"Inputs", 48, 4>) -> !tiled_subop.stream<"Outputs", 16, 4>
%o21 = tiled_subop.worker @conv2.w1 layer @conv2 index 1 iterations 4 cycles 10 macs 576 buffer 240 (%w2, %i2#1 : !tiled_subop.stream<"Weights", 144, 1>, !tiled_subop.stream<"Inputs", 48, 4>) -> !tiled_subop.stream<"Outputs", 16, 4>
%b = tiled_subop.sink @conv2.sink layer @conv2 writeback (%o20, %o21 : !tiled_subop.stream<"Outputs", 16, 4>, !tiled_subop.stream<"Outputs", 16, 4>) -> tensor<1x8x4x4xi8>
tiled_subop.layer @conv3 kind "conv2d" model "cnn" workers 1 cycles 30 macs 576 batch 2
%w3 = tiled_subop.source @conv3.src.Weights layer @conv3 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 144, 1>
%i3 = tiled_subop.source @conv3.src.Inputs layer @conv3 space "Inputs" iterations 2 cycles 0 from %a : tensor<1x4x6x6xi8> -> !tiled_subop.stream<"Inputs", 72, 2>
%o30 = tiled_subop.worker @conv3.w0 layer @conv3 index 0 iterations 2 cycles 15 macs 576 buffer 300 (%w3, %i3 : !tiled_subop.stream<"Weights", 144, 1>, !tiled_subop.stream<"Inputs", 72, 2>) -> !tiled_subop.stream<"Outputs", 32, 2>
%c = tiled_subop.sink @conv3.sink layer @conv3 writeback (%o30 : !tiled_subop.stream<"Outputs", 32, 2>) -> tensor<1x4x4x4xi8>
// model "mlp": fc1 -> fc2 (fc2 reduces partial sums)
tiled_subop.layer @fc1 kind "matmul" model "mlp" workers 2 cycles 64 macs 16384 batch 1
%w4:2 = tiled_subop.source @fc1.src.Weights layer @fc1 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 8192, 1>, !tiled_subop.stream<"Weights", 8192, 1>
%i4 = tiled_subop.source @fc1.src.Inputs layer @fc1 space "Inputs" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Inputs", 128, 1>
%o40 = tiled_subop.worker @fc1.w0 layer @fc1 index 0 iterations 1 cycles 32 macs 8192 buffer 8320 (%w4#0, %i4 : !tiled_subop.stream<"Weights", 8192, 1>, !tiled_subop.stream<"Inputs", 128, 1>) -> !tiled_subop.stream<"Outputs", 64, 1>
%o41 = tiled_subop.worker @fc1.w1 layer @fc1 index 1 iterations 1 cycles 32 macs 8192 buffer 8320 (%w4#1, %i4 : !tiled_subop.stream<"Weights", 8192, 1>, !tiled_subop.stream<"Inputs", 128, 1>) -> !tiled_subop.stream<"Outputs", 64, 1>
%d = tiled_subop.sink @fc1.sink layer @fc1 (%o40, %o41 : !tiled_subop.stream<"Outputs", 64, 1>, !tiled_subop.stream<"Outputs", 64, 1>) -> tensor<1x128xi8>
tiled_subop.layer @fc2 kind "matmul" model "mlp" workers 1 cycles 32 macs 1280 batch 1
%w5 = tiled_subop.source @fc2.src.Weights layer @fc2 space "Weights" iterations 1 cycles 0 memory -> !tiled_subop.stream<"Weights", 1280, 1>
%i5 = tiled_subop.source @fc2.src.Inputs layer @fc2 space "Inputs" iterations 1 cycles 0 from %d : tensor<1x128xi8> -> !tiled_subop.stream<"Inputs", 128, 1>
%o50 = tiled_subop.worker @fc2.w0 layer @fc2 index 0 iterations 1 cycles 32 macs 1280 buffer 1418 (%w5, %i5 : !tiled_subop.stream<"Weights", 1280, 1>, !tiled_subop.stream<"Inputs", 128, 1>) -> !tiled_subop.stream<"Outputs", 10, 1>
%e = tiled_subop.sink @fc2.sink layer @fc2 reduce writeback (%o50 : !tiled_subop.stream<"Outputs", 10, 1>) -> tensor<1x10xi8>
