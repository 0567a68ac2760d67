// RUN: focus-opt %s -t 'pe-packed{out="%t.npz"}' | filecheck %s
// RUN: not focus-opt %s -t pe-packed 2>&1 | filecheck %s --check-prefix=NOPATH

// The packed program of a hand-written module: loops stay loops (begin + end = 2 instructions each).
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "in"
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 4 {
      pe_isa.mem_read bytes 100
      pe_isa.send tag 0
    }
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "w" {
    pe_isa.loop count 4 {
      pe_isa.recv tag 0
      pe_isa.compute cycles 10
    }
  }
}

// CHECK: pe-packed: wrote {{.*}}.npz: 2 blocks, 8 instructions, 1 messages
// NOPATH: focus-opt: error: pe-packed: writes a .npz file; give it as -t 'pe-packed{out="PATH"}'
