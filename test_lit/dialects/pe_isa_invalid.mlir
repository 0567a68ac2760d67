// RUN: focus-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every pe_isa verifier message (message table, program, block placement, instructions).

// A negative tag.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag -1 from <0, 0> to [<1, 0>, <1, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>
// CHECK: 'pe_isa.message' tag -1 must be >= 0

// -----

// A source PE beyond the mesh.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 1 from <4, 4> to [<1, 0>, <1, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>
// CHECK: 'pe_isa.message' source <4, 4> is outside the 4x4 mesh

// -----

// No destination.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 2 from <0, 0> to [] flits 2 vc 0 mode "tree" route <>
// CHECK: 'pe_isa.message' tag 2 has no destination

// -----

// A destination beyond the mesh.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 3 from <0, 0> to [<1, 0>, <1, 8>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>
// CHECK: 'pe_isa.message' destination <1, 8> is outside the 4x4 mesh

// -----

// A message to its own source.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 4 from <0, 0> to [<0, 0>] flits 2 vc 0 mode "tree" route <>
// CHECK: 'pe_isa.message' tag 4 sends to its own source PE <0, 0>

// -----

// Empty packets.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 5 from <0, 0> to [<1, 0>, <1, 1>] flits 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>
// CHECK: 'pe_isa.message' tag 5 flits (0) must be at least 1

// -----

// An unknown delivery mode.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 6 from <0, 0> to [<1, 0>, <1, 1>] flits 2 vc 0 mode "broadcast" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>
// CHECK: 'pe_isa.message' tag 6 mode 'broadcast' is not one of tree, copies

// -----

// A program for a PE beyond the mesh.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <0, 5> {
  pe_isa.block "b" {
    pe_isa.compute cycles 4
  }
}
// CHECK: 'pe_isa.program' PE <0, 5> is outside the 4x4 mesh

// -----

// A program holding something else than blocks (a message-table entry).
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 1> {
  pe_isa.message tag 7 from <1, 1> to [<1, 0>] flits 1 vc 0 mode "tree" route <<1, 1> -> <1, 0>>
}
// CHECK: 'pe_isa.program' on <1, 1> may only hold pe_isa.block ops, found pe_isa.message

// -----

// A block outside any program (xDSL's HasParent trait).
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.block "orphan" {
  pe_isa.compute cycles 4
}
// CHECK: 'pe_isa.block' expects parent op 'pe_isa.program'

// -----

// An instruction outside any block.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.send tag 0
// CHECK: 'pe_isa.send' must be inside a pe_isa.block or pe_isa.loop

// -----

// A receive outside any block.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.recv tag 0
// CHECK: 'pe_isa.recv' must be inside a pe_isa.block or pe_isa.loop

// -----

// A compute outside any block.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.compute cycles 4
// CHECK: 'pe_isa.compute' must be inside a pe_isa.block or pe_isa.loop

// -----

// A memory read outside any block.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.mem_read bytes 16
// CHECK: 'pe_isa.mem_read' must be inside a pe_isa.block or pe_isa.loop

// -----

// A memory write outside any block.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.mem_write bytes 16
// CHECK: 'pe_isa.mem_write' must be inside a pe_isa.block or pe_isa.loop

// -----

// A loop directly in a program (not in a block).
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 0> {
  pe_isa.loop count 2 {
    pe_isa.compute cycles 4
  }
}
// CHECK: 'pe_isa.loop' must be inside a pe_isa.block or pe_isa.loop

// -----

// A loop that never runs.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 0> {
  pe_isa.block "b" {
    pe_isa.loop count 0 {
      pe_isa.compute cycles 4
    }
  }
}
// CHECK: 'pe_isa.loop' count (0) must be at least 1

// -----

// A negative send tag.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 0> {
  pe_isa.block "b" {
    pe_isa.send tag -2
  }
}
// CHECK: 'pe_isa.send' tag (-2) must be >= 0

// -----

// A negative receive tag (inside a loop).
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 0> {
  pe_isa.block "b" {
    pe_isa.loop count 3 {
      pe_isa.recv tag -3
    }
  }
}
// CHECK: 'pe_isa.recv' tag (-3) must be >= 0

// -----

// Negative compute cycles.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 0> {
  pe_isa.block "b" {
    pe_isa.compute cycles -8
  }
}
// CHECK: 'pe_isa.compute' cycles (-8) must be >= 0

// -----

// A memory read of zero bytes.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <0, 0> {
  pe_isa.block "b" {
    pe_isa.mem_read bytes 0
  }
}
// CHECK: 'pe_isa.mem_read' bytes (0) must be at least 1

// -----

// A memory write of negative bytes.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <3, 3> {
  pe_isa.block "b" {
    pe_isa.mem_write bytes -4
  }
}
// CHECK: 'pe_isa.mem_write' bytes (-4) must be at least 1

// -----

// A memory read on a PE without a DRAM channel (nested in loops).
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 2> {
  pe_isa.block "b" {
    pe_isa.loop count 2 {
      pe_isa.loop count 3 {
        pe_isa.mem_read bytes 64
      }
    }
  }
}
// CHECK: 'pe_isa.mem_read' on <1, 2>, which is not a memory PE of the device

// -----

// A memory write on a PE without a DRAM channel.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <2, 1> {
  pe_isa.block "b" {
    pe_isa.mem_write bytes 64
  }
}
// CHECK: 'pe_isa.mem_write' on <2, 1>, which is not a memory PE of the device
