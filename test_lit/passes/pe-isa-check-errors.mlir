// pe-isa-check rejects inconsistent hand-written programs with one line per error (focus-opt exits 2; the
// exit code itself is tested in tests/lowering/test_pe_isa_check.py). Each case below is fed on its own;
// the -NOT lines check that the error is the only one reported.

// RUN: sed -n '/^\/\/ case unmatched-send$/,/^\/\/ end$/p' %s | not focus-opt -p pe-isa-check 2>&1 | filecheck %s --check-prefix=SEND
// RUN: sed -n '/^\/\/ case unmatched-recv$/,/^\/\/ end$/p' %s | not focus-opt -p pe-isa-check 2>&1 | filecheck %s --check-prefix=RECV
// RUN: sed -n '/^\/\/ case size-mismatch$/,/^\/\/ end$/p' %s | not focus-opt -p pe-isa-check 2>&1 | filecheck %s --check-prefix=SIZE
// RUN: sed -n '/^\/\/ case unreached-recv$/,/^\/\/ end$/p' %s | not focus-opt -p pe-isa-check 2>&1 | filecheck %s --check-prefix=ROUTE
// RUN: sed -n '/^\/\/ case wrong-source$/,/^\/\/ end$/p' %s | not focus-opt -p pe-isa-check 2>&1 | filecheck %s --check-prefix=SRC
// RUN: sed -n '/^\/\/ case unknown-tag$/,/^\/\/ end$/p' %s | not focus-opt -p pe-isa-check 2>&1 | filecheck %s --check-prefix=TAG

// The memory PE sends 4 packets of tag 0 but the worker takes only 3 (2 + 1).
// case unmatched-send
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>> label "w"
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 4 {
      pe_isa.mem_read bytes 100
      pe_isa.send tag 0
    }
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "worker" {
    pe_isa.loop count 2 {
      pe_isa.recv tag 0
      pe_isa.compute cycles 10
    }
    pe_isa.recv tag 0
  }
}
// end
// SEND: focus-opt: error: pe-isa-check: tag 0 (w): unmatched send, 4 sends on <0, 0> but 3 recvs on <1, 0>
// SEND-NOT: pe-isa-check

// A multicast to two PEs: <1, 1> receives one packet more (3 x 2) than the source sends (5).
// case unmatched-recv
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 7 from <0, 0> to [<1, 0>, <1, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 5 {
      pe_isa.send tag 7
    }
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "a" {
    pe_isa.loop count 5 {
      pe_isa.recv tag 7
    }
  }
}
pe_isa.program on <1, 1> {
  pe_isa.block "b" {
    pe_isa.loop count 3 {
      pe_isa.recv tag 7
      pe_isa.recv tag 7
    }
  }
}
// end
// RECV: focus-opt: error: pe-isa-check: tag 7: unmatched recv, 6 recvs on <1, 1> but 5 sends on <0, 0>
// RECV-NOT: pe-isa-check

// The worker expects 3-flit packets of tag 0, the message table says 2.
// case size-mismatch
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 0 from <0, 0> to [<0, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <0, 1>> label "w"
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 2 {
      pe_isa.send tag 0 {flits = 2 : i64}
    }
  }
}
pe_isa.program on <0, 1> {
  pe_isa.block "worker" {
    pe_isa.loop count 2 {
      pe_isa.recv tag 0 {flits = 3 : i64}
    }
  }
}
// end
// SIZE: focus-opt: error: pe-isa-check: recv tag 0 on <0, 1> (block "worker"): size mismatch, 3 flits but message tag 0 (w) carries 2
// SIZE-NOT: pe-isa-check

// Tag 1 goes <1, 0> -> <1, 1>; <0, 1> receives it although no route of tag 1 goes there.
// case unreached-recv
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 1 from <1, 0> to [<1, 1>] flits 1 vc 0 mode "tree" route <<1, 0> -> <1, 1>> label "out"
pe_isa.program on <1, 0> {
  pe_isa.block "worker" {
    pe_isa.send tag 1
  }
}
pe_isa.program on <0, 1> {
  pe_isa.block "stray" {
    pe_isa.recv tag 1
  }
}
pe_isa.program on <1, 1> {
  pe_isa.block "sink" {
    pe_isa.recv tag 1
  }
}
// end
// ROUTE: focus-opt: error: pe-isa-check: recv tag 1 on <0, 1> (block "stray"): no route of tag 1 (out) reaches <0, 1> (destinations <1, 1>)
// ROUTE-NOT: pe-isa-check

// Tag 0 is injected by <1, 1>, but the message table says it starts at <0, 0>.
// case wrong-source
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 0 from <0, 0> to [<1, 0>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>>
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.send tag 0
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "dst" {
    pe_isa.recv tag 0
  }
}
pe_isa.program on <1, 1> {
  pe_isa.block "impostor" {
    pe_isa.send tag 0
  }
}
// end
// SRC: focus-opt: error: pe-isa-check: send tag 0 on <1, 1> (block "impostor"): message tag 0 is sent from <0, 0>
// SRC-NOT: pe-isa-check

// A recv of a tag that has no entry in the message table.
// case unknown-tag
chip.device @d mesh 2 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.program on <1, 0> {
  pe_isa.block "dst" {
    pe_isa.recv tag 4
  }
}
// end
// TAG: focus-opt: error: pe-isa-check: recv tag 4 on <1, 0> (block "dst"): no pe_isa.message has tag 4
// TAG-NOT: pe-isa-check
