// RUN: FOCUS_ROUNDTRIP
// RUN: FOCUS_GENERIC_ROUNDTRIP

// conv1 lowered to per-PE programs: the message table (tags 0-3), the memory PEs stream from DRAM, the two
// workers receive Weights once and Inputs per iteration, and the sink gathers and writes back to DRAM
// through a memory PE. Blocks of one program run concurrently; loops nest.
chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64, memory_compute}
pe_isa.message tag 0 from <0, 0> to [<1, 0>, <1, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> label "conv1.Weights"
pe_isa.message tag 1 from <3, 3> to [<1, 0>, <1, 1>] flits 2 vc 1 mode "copies" route <<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>> label "conv1.Inputs"
pe_isa.message tag 2 from <1, 0> to [<3, 3>] flits 1 vc 2 mode "tree" route <<1, 0> -> <2, 0>, <2, 0> -> <3, 0>, <3, 0> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <3, 3>>
pe_isa.message tag 3 from <1, 1> to [<3, 3>] flits 1 vc 3 mode "tree" route <<1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <3, 3>>
pe_isa.program on <0, 0> {
  pe_isa.block "conv1.src.Weights" {
    pe_isa.mem_read bytes 108
    pe_isa.send tag 0
  }
}
pe_isa.program on <3, 3> {
  pe_isa.block "conv1.src.Inputs" {
    pe_isa.loop count 6 {
      pe_isa.mem_read bytes 72
      pe_isa.send tag 1
    }
  }
  pe_isa.block "conv1.sink" {
    pe_isa.loop count 6 {
      pe_isa.recv tag 2
      pe_isa.recv tag 3
      pe_isa.mem_write bytes 24
    }
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "conv1.w0" {
    pe_isa.recv tag 0
    pe_isa.loop count 2 {
      pe_isa.loop count 3 {
        pe_isa.recv tag 1
        pe_isa.compute cycles 8
        pe_isa.send tag 2
      }
    }
  }
}
pe_isa.program on <1, 1> {
  pe_isa.block "conv1.w1" {
    pe_isa.recv tag 0
    pe_isa.loop count 6 {
      pe_isa.recv tag 1
      pe_isa.compute cycles 8
      pe_isa.send tag 3
    }
  }
  pe_isa.block "idle" {
    pe_isa.compute cycles 0
  }
}

// CHECK:      builtin.module {
// CHECK-NEXT:   chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, memory_compute}
// CHECK-NEXT:   pe_isa.message tag 0 from <0, 0> to [<1, 0>, <1, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> label "conv1.Weights"
// CHECK-NEXT:   pe_isa.message tag 1 from <3, 3> to [<1, 0>, <1, 1>] flits 2 vc 1 mode "copies" route <<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>> label "conv1.Inputs"
// CHECK-NEXT:   pe_isa.message tag 2 from <1, 0> to [<3, 3>] flits 1 vc 2 mode "tree" route <<1, 0> -> <2, 0>, <2, 0> -> <3, 0>, <3, 0> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <3, 3>>
// CHECK-NEXT:   pe_isa.message tag 3 from <1, 1> to [<3, 3>] flits 1 vc 3 mode "tree" route <<1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <3, 3>>
// CHECK-NEXT:   pe_isa.program on <0, 0> {
// CHECK-NEXT:     pe_isa.block "conv1.src.Weights" {
// CHECK-NEXT:       pe_isa.mem_read bytes 108
// CHECK-NEXT:       pe_isa.send tag 0
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <3, 3> {
// CHECK-NEXT:     pe_isa.block "conv1.src.Inputs" {
// CHECK-NEXT:       pe_isa.loop count 6 {
// CHECK-NEXT:         pe_isa.mem_read bytes 72
// CHECK-NEXT:         pe_isa.send tag 1
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "conv1.sink" {
// CHECK-NEXT:       pe_isa.loop count 6 {
// CHECK-NEXT:         pe_isa.recv tag 2
// CHECK-NEXT:         pe_isa.recv tag 3
// CHECK-NEXT:         pe_isa.mem_write bytes 24
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 0> {
// CHECK-NEXT:     pe_isa.block "conv1.w0" {
// CHECK-NEXT:       pe_isa.recv tag 0
// CHECK-NEXT:       pe_isa.loop count 2 {
// CHECK-NEXT:         pe_isa.loop count 3 {
// CHECK-NEXT:           pe_isa.recv tag 1
// CHECK-NEXT:           pe_isa.compute cycles 8
// CHECK-NEXT:           pe_isa.send tag 2
// CHECK-NEXT:         }
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT:   pe_isa.program on <1, 1> {
// CHECK-NEXT:     pe_isa.block "conv1.w1" {
// CHECK-NEXT:       pe_isa.recv tag 0
// CHECK-NEXT:       pe_isa.loop count 6 {
// CHECK-NEXT:         pe_isa.recv tag 1
// CHECK-NEXT:         pe_isa.compute cycles 8
// CHECK-NEXT:         pe_isa.send tag 3
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:     pe_isa.block "idle" {
// CHECK-NEXT:       pe_isa.compute cycles 0
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "chip.device"() <{sym_name = "d", width = 4 : i64, height = 4 : i64, memory_pes = #chip.pes[<0, 0>, <3, 3>], link_bits = 512 : i64, flit_bits = 512 : i64, macs_per_cycle = 256 : i64, word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, memory_compute}> : () -> ()
// GENERIC-NEXT:   "pe_isa.message"() <{tag = 0 : i64, src = #chip.pe<0, 0>, dsts = #chip.pes[<1, 0>, <1, 1>], flits = 1 : i64, vc = 0 : i64, mode = "tree", route = #chip.route<<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>, label = "conv1.Weights"}> : () -> ()
// GENERIC-NEXT:   "pe_isa.message"() <{tag = 1 : i64, src = #chip.pe<3, 3>, dsts = #chip.pes[<1, 0>, <1, 1>], flits = 2 : i64, vc = 1 : i64, mode = "copies", route = #chip.route<<3, 3> -> <2, 3>, <2, 3> -> <1, 3>, <1, 3> -> <1, 2>, <1, 2> -> <1, 1>, <1, 1> -> <1, 0>>, label = "conv1.Inputs"}> : () -> ()
// GENERIC-NEXT:   "pe_isa.message"() <{tag = 2 : i64, src = #chip.pe<1, 0>, dsts = #chip.pes[<3, 3>], flits = 1 : i64, vc = 2 : i64, mode = "tree", route = #chip.route<<1, 0> -> <2, 0>, <2, 0> -> <3, 0>, <3, 0> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <3, 3>>}> : () -> ()
// GENERIC-NEXT:   "pe_isa.message"() <{tag = 3 : i64, src = #chip.pe<1, 1>, dsts = #chip.pes[<3, 3>], flits = 1 : i64, vc = 3 : i64, mode = "tree", route = #chip.route<<1, 1> -> <2, 1>, <2, 1> -> <3, 1>, <3, 1> -> <3, 2>, <3, 2> -> <3, 3>>}> : () -> ()
// GENERIC-NEXT:   "pe_isa.program"() <{pe = #chip.pe<0, 0>}> ({
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv1.src.Weights"}> ({
// GENERIC-NEXT:       "pe_isa.mem_read"() <{bytes = 108 : i64}> : () -> ()
// GENERIC-NEXT:       "pe_isa.send"() <{tag = 0 : i64}> : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT:   "pe_isa.program"() <{pe = #chip.pe<3, 3>}> ({
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv1.src.Inputs"}> ({
// GENERIC-NEXT:       "pe_isa.loop"() <{count = 6 : i64}> ({
// GENERIC-NEXT:         "pe_isa.mem_read"() <{bytes = 72 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.send"() <{tag = 1 : i64}> : () -> ()
// GENERIC-NEXT:       }) : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv1.sink"}> ({
// GENERIC-NEXT:       "pe_isa.loop"() <{count = 6 : i64}> ({
// GENERIC-NEXT:         "pe_isa.recv"() <{tag = 2 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.recv"() <{tag = 3 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.mem_write"() <{bytes = 24 : i64}> : () -> ()
// GENERIC-NEXT:       }) : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT:   "pe_isa.program"() <{pe = #chip.pe<1, 0>}> ({
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv1.w0"}> ({
// GENERIC-NEXT:       "pe_isa.recv"() <{tag = 0 : i64}> : () -> ()
// GENERIC-NEXT:       "pe_isa.loop"() <{count = 2 : i64}> ({
// GENERIC-NEXT:         "pe_isa.loop"() <{count = 3 : i64}> ({
// GENERIC-NEXT:           "pe_isa.recv"() <{tag = 1 : i64}> : () -> ()
// GENERIC-NEXT:           "pe_isa.compute"() <{cycles = 8 : i64}> : () -> ()
// GENERIC-NEXT:           "pe_isa.send"() <{tag = 2 : i64}> : () -> ()
// GENERIC-NEXT:         }) : () -> ()
// GENERIC-NEXT:       }) : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT:   "pe_isa.program"() <{pe = #chip.pe<1, 1>}> ({
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "conv1.w1"}> ({
// GENERIC-NEXT:       "pe_isa.recv"() <{tag = 0 : i64}> : () -> ()
// GENERIC-NEXT:       "pe_isa.loop"() <{count = 6 : i64}> ({
// GENERIC-NEXT:         "pe_isa.recv"() <{tag = 1 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.compute"() <{cycles = 8 : i64}> : () -> ()
// GENERIC-NEXT:         "pe_isa.send"() <{tag = 3 : i64}> : () -> ()
// GENERIC-NEXT:       }) : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:     "pe_isa.block"() <{block_name = "idle"}> ({
// GENERIC-NEXT:       "pe_isa.compute"() <{cycles = 0 : i64}> : () -> ()
// GENERIC-NEXT:     }) : () -> ()
// GENERIC-NEXT:   }) : () -> ()
// GENERIC-NEXT: }) : () -> ()
