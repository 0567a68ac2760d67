// RUN: FOCUS_ROUNDTRIP
// RUN: FOCUS_GENERIC_ROUNDTRIP

// A 4x2 device with two memory PEs (opposite corners), every optional property (pe_buffer_bytes,
// memory_compute) and every chip attribute: a PE, PE lists (empty and not), routes (a multicast tree,
// the empty route).
chip.device @mesh4x2 mesh 4 x 2 memory [<0, 0>, <3, 1>] link 512 flit 256 macs 128 {word_bits = 16 : i64, num_vcs = 2 : i64, vc_buf_flits = 8 : i64, injection_queue = 16 : i64, dram_bytes_per_cycle = 3.2e+01 : f64, dram_latency = 80 : i64, pe_buffer_bytes = 65536 : i64, memory_compute}
"test.op"() {pe = #chip.pe<3, 1>, pes = #chip.pes[<0, 0>, <1, 0>, <1, 1>], none = #chip.pes[], route = #chip.route<<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 0> -> <2, 0>>, empty = #chip.route<>} : () -> ()

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @mesh4x2 mesh 4 x 2 memory [<0, 0>, <3, 1>] link 512 flit 256 macs 128 {word_bits = 16 : i64, num_vcs = 2 : i64, vc_buf_flits = 8 : i64, injection_queue = 16 : i64, dram_bytes_per_cycle = 3.200000e+01 : f64, dram_latency = 80 : i64, pe_buffer_bytes = 65536 : i64, memory_compute}
// CHECK-NEXT:   "test.op"() {pe = #chip.pe<3, 1>, pes = #chip.pes[<0, 0>, <1, 0>, <1, 1>], none = #chip.pes[], route = #chip.route<<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 0> -> <2, 0>>, empty = #chip.route<>} : () -> ()
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "mesh4x2", width = 4 : i64, height = 2 : i64, memory_pes = #chip.pes[<0, 0>, <3, 1>], link_bits = 512 : i64, flit_bits = 256 : i64, macs_per_cycle = 128 : i64, word_bits = 16 : i64, num_vcs = 2 : i64, vc_buf_flits = 8 : i64, injection_queue = 16 : i64, dram_bytes_per_cycle = 3.200000e+01 : f64, dram_latency = 80 : i64, pe_buffer_bytes = 65536 : i64, memory_compute}> : () -> ()
// GENERIC-NEXT:   "test.op"() {pe = #chip.pe<3, 1>, pes = #chip.pes[<0, 0>, <1, 0>, <1, 1>], none = #chip.pes[], route = #chip.route<<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 0> -> <2, 0>>, empty = #chip.route<>} : () -> ()
// GENERIC-NEXT: }) : () -> ()

// -----

// The smallest legal device: 1x1, no memory PE, every count at its minimum, no optional property.
chip.device @single mesh 1 x 1 memory [] link 1 flit 1 macs 1 {word_bits = 1 : i64, num_vcs = 1 : i64, vc_buf_flits = 1 : i64, injection_queue = 1 : i64, dram_bytes_per_cycle = 5.0e-01 : f64, dram_latency = 0 : i64}

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @single mesh 1 x 1 memory [] link 1 flit 1 macs 1 {word_bits = 1 : i64, num_vcs = 1 : i64, vc_buf_flits = 1 : i64, injection_queue = 1 : i64, dram_bytes_per_cycle = 5.000000e-01 : f64, dram_latency = 0 : i64}
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "single", width = 1 : i64, height = 1 : i64, memory_pes = #chip.pes[], link_bits = 1 : i64, flit_bits = 1 : i64, macs_per_cycle = 1 : i64, word_bits = 1 : i64, num_vcs = 1 : i64, vc_buf_flits = 1 : i64, injection_queue = 1 : i64, dram_bytes_per_cycle = 5.000000e-01 : f64, dram_latency = 0 : i64}> : () -> ()
// GENERIC-NEXT: }) : () -> ()
