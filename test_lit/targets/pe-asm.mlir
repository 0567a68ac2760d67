// RUN: focus-opt %s -t pe-asm | filecheck %s

// The listing of a hand-written pe_isa module: the message table, then one section per PE in linear-id
// order (<1, 0> = id 1 before <0, 1> = id 3), loop bodies indented under their loop.
chip.device @d mesh 3 x 3 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 0 from <0, 0> to [<1, 0>, <0, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <0, 0> -> <0, 1>> label "in" {bytes = 100 : i64}
pe_isa.message tag 1 from <1, 0> to [<0, 1>] flits 1 vc 1 mode "copies" route <<1, 0> -> <1, 1>, <1, 1> -> <0, 1>> label "out"
pe_isa.program on <0, 1> {
  pe_isa.block "sink" {
    pe_isa.loop count 4 {
      pe_isa.recv tag 0
    }
    pe_isa.loop count 2 {
      pe_isa.recv tag 1
    }
  }
}
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 4 {
      pe_isa.mem_read bytes 100
      pe_isa.send tag 0
    }
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "w" attributes {buffer = 300 : i64, layer = "l1"} {
    pe_isa.loop count 2 {
      pe_isa.loop count 2 {
        pe_isa.recv tag 0
        pe_isa.compute cycles 10
      }
      pe_isa.send tag 1
    }
  }
}

// CHECK:      ; pe-asm: device d, mesh 3 x 3, memory <0, 0>; 2 messages, 3 programs, 3 blocks, 12 instructions
// CHECK-NEXT: messages:
// CHECK-NEXT:   tag 0  <0, 0> -> <1, 0> <0, 1>  flits 2  vc 0  tree  in  (bytes 100)
// CHECK-NEXT:     route <0, 0>-><1, 0> <0, 0>-><0, 1>
// CHECK-NEXT:   tag 1  <1, 0> -> <0, 1>  flits 1  vc 1  copies  out
// CHECK-NEXT:     route <1, 0>-><1, 1> <1, 1>-><0, 1>
// CHECK-EMPTY:
// CHECK-NEXT: pe <0, 0> (id 0, memory):
// CHECK-NEXT:   block src
// CHECK-NEXT:     loop 4
// CHECK-NEXT:       mem_read 100
// CHECK-NEXT:       send 0
// CHECK-EMPTY:
// CHECK-NEXT: pe <1, 0> (id 1):
// CHECK-NEXT:   block w  (buffer 300, layer l1)
// CHECK-NEXT:     loop 2
// CHECK-NEXT:       loop 2
// CHECK-NEXT:         recv 0
// CHECK-NEXT:         compute 10
// CHECK-NEXT:       send 1
// CHECK-EMPTY:
// CHECK-NEXT: pe <0, 1> (id 3):
// CHECK-NEXT:   block sink
// CHECK-NEXT:     loop 4
// CHECK-NEXT:       recv 0
// CHECK-NEXT:     loop 2
// CHECK-NEXT:       recv 1
