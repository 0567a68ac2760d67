chip.device @d mesh 4 x 4 memory [<0, 0>] link 512 flit 512 macs 256 {num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, word_bits = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}
%p = placed_subop.source @conv2.j layer @conv2 space "Inputs" iterations 4 cycles 10 on <0, 0> memory -> !tiled_subop.stream<"Inputs", 16, 4>
routed_message.message @m0 %p from <0, 0> to [<1, 0>, <1, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> : !tiled_subop.stream<"Inputs", 16, 4>
pe_isa.message tag 0 from <0, 0> to [<1, 0>, <1, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>> label "m0"
pe_isa.program on <0, 0> {
  pe_isa.block "src" {
    pe_isa.loop count 4 {
      pe_isa.mem_read bytes 16
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
