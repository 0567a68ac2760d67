// RUN: focus-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every chip verifier message. ('chip.route' expects (from, to) pairs of PEs is unreachable from text:
// the route syntax always yields pairs; tests/ir/test_verifiers.py builds an odd route in Python.)
// A zero-width mesh.
chip.device @d mesh 0 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' mesh 0x4 must be at least 1x1

// -----

// A negative height.
chip.device @d mesh 4 x -2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' mesh 4x-2 must be at least 1x1

// -----

// A memory PE beyond the east edge.
chip.device @d mesh 4 x 4 memory [<0, 0>, <4, 1>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' memory PE <4, 1> is outside the 4x4 mesh

// -----

// The same memory PE twice.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>, <0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' memory PE <0, 0> is listed twice

// -----

// Zero link width.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 0 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' link_bits (0) must be at least 1

// -----

// Zero flit width.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 0 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' flit_bits (0) must be at least 1

// -----

// Zero word width.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 0 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' word_bits (0) must be at least 1

// -----

// Negative MAC rate.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs -8 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' macs_per_cycle (-8) must be at least 1

// -----

// No virtual channel.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 0 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' num_vcs (0) must be at least 1

// -----

// VC buffers of zero flits.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 0 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' vc_buf_flits (0) must be at least 1

// -----

// An injection queue of zero packets.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 0 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' injection_queue (0) must be at least 1

// -----

// A PE buffer of zero bytes.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, pe_buffer_bytes = 0 : i64}
// CHECK: 'chip.device' pe_buffer_bytes (0) must be at least 1

// -----

// A DRAM channel without bandwidth.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 0.0 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' dram_bytes_per_cycle (0.0) must be positive

// -----

// Negative DRAM bandwidth.
chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = -1.5 : f64, dram_latency = 100 : i64}
// CHECK: 'chip.device' dram_bytes_per_cycle (-1.5) must be positive

// -----

// A route hop that skips a router (not a unit mesh link).
"test.op"() {route = #chip.route<<0, 0> -> <1, 0>, <1, 0> -> <3, 0>>} : () -> ()
// CHECK: 'chip.route' link <1, 0> -> <3, 0> is not a unit mesh link

// -----

// A diagonal route hop.
"test.op"() {route = #chip.route<<1, 1> -> <2, 2>>} : () -> ()
// CHECK: 'chip.route' link <1, 1> -> <2, 2> is not a unit mesh link

// -----

// A self-loop is not a link either.
"test.op"() {route = #chip.route<<2, 2> -> <2, 2>>} : () -> ()
// CHECK: 'chip.route' link <2, 2> -> <2, 2> is not a unit mesh link
