// RUN: focus-opt %s -p pe-isa-check | filecheck %s

// A consistent hand-written program passes pe-isa-check and is printed unchanged: a multicast (tag 0, 4
// packets to <1, 0> and <1, 1>, received in differently shaped loops), sends in a nested loop (tag 1:
// 2 x 3 = 6 sends, received as 6), a "copies" message, and matching optional `flits` attributes.
chip.device @d mesh 3 x 3 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
pe_isa.message tag 0 from <0, 0> to [<1, 0>, <1, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> label "in" {bytes = 100 : i64}
pe_isa.message tag 1 from <1, 0> to [<2, 0>] flits 1 vc 1 mode "tree" route <<1, 0> -> <2, 0>> label "out"
pe_isa.message tag 2 from <1, 1> to [<2, 0>, <0, 1>] flits 1 vc 0 mode "copies" route <<1, 1> -> <2, 1>, <2, 1> -> <2, 0>, <1, 1> -> <0, 1>>
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 4 {
      pe_isa.mem_read bytes 100
      pe_isa.send tag 0 {flits = 2 : i64}
    }
  }
}
pe_isa.program on <1, 0> {
  pe_isa.block "w0" {
    pe_isa.loop count 2 {
      pe_isa.recv tag 0
      pe_isa.recv tag 0
      pe_isa.loop count 3 {
        pe_isa.compute cycles 5
        pe_isa.send tag 1
      }
    }
  }
}
pe_isa.program on <1, 1> {
  pe_isa.block "w1" {
    pe_isa.loop count 4 {
      pe_isa.recv tag 0 {flits = 2 : i64}
    }
    pe_isa.send tag 2
  }
}
pe_isa.program on <2, 0> {
  pe_isa.block "sink.a" {
    pe_isa.loop count 6 {
      pe_isa.recv tag 1
    }
  }
  pe_isa.block "sink.b" {
    pe_isa.recv tag 2
  }
}
pe_isa.program on <0, 1> {
  pe_isa.block "sink.c" {
    pe_isa.recv tag 2
  }
}

// CHECK:      pe_isa.message tag 0 from <0, 0> to [<1, 0>, <1, 1>] flits 2 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> label "in" {bytes = 100 : i64}
// CHECK-NEXT: pe_isa.message tag 1 from <1, 0> to [<2, 0>] flits 1 vc 1 mode "tree" route <<1, 0> -> <2, 0>> label "out"
// CHECK-NEXT: pe_isa.message tag 2 from <1, 1> to [<2, 0>, <0, 1>] flits 1 vc 0 mode "copies" route <<1, 1> -> <2, 1>, <2, 1> -> <2, 0>, <1, 1> -> <0, 1>>
// CHECK-NEXT: pe_isa.program on <0, 0> {
// CHECK:      pe_isa.program on <1, 0> {
// CHECK:      pe_isa.program on <1, 1> {
// CHECK:      pe_isa.program on <2, 0> {
// CHECK:      pe_isa.program on <0, 1> {
// CHECK-NEXT:   pe_isa.block "sink.c" {
// CHECK-NEXT:     pe_isa.recv tag 2
// CHECK-NEXT:   }
// CHECK-NEXT: }
