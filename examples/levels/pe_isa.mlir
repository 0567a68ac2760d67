// The tensor_op example after focus-pipeline: per-PE programs and the message table. Try:
//   focus-opt examples/levels/pe_isa.mlir -t pe-asm      (or -t sim, -t pe-packed -o prog.npz)
builtin.module attributes {focus.batch = 1 : i64} {
  chip.device @focus mesh 4 x 4 memory [<0, 0>, <1, 0>, <2, 0>, <3, 0>, <0, 1>, <3, 1>, <0, 2>, <3, 2>, <0, 3>, <1, 3>, <2, 3>, <3, 3>] link 1024 flit 1024 macs 256 {preset = "focus", memory_layout = "edge", router_delay = 1 : i64, link_delay = 1 : i64, buffers = [["GlobalBuffer", 1 : i64, 131072 : i64, 8 : i64], ["PEInputBuffer", 16 : i64, 8192 : i64, 8 : i64], ["PEWeightBuffer", 64 : i64, 8192 : i64, 8 : i64], ["PEAccuBuffer", 64 : i64, 48 : i64, 24 : i64], ["PEWeightRegs", 256 : i64, 64 : i64, 8 : i64]], word_bits = 8 : i64, num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 16 : i64, dram_bytes_per_cycle = 6.400000e+01 : f64, dram_latency = 100 : i64, pe_buffer_bytes = 131072 : i64, memory_compute}
  pe_isa.message tag 0 from <0, 1> to [<0, 0>, <0, 2>] flits 13 vc 1 mode "tree" route <<0, 1> -> <0, 0>, <0, 1> -> <0, 2>> label "m.conv1.Inputs" {bytes = 1600 : i64, priority = 7 : i64, layer = "m.conv1"}
  pe_isa.message tag 1 from <0, 0> to [<0, 1>] flits 1 vc 1 mode "tree" route <<0, 0> -> <0, 1>> label "m.conv1.Outputs.0" {bytes = 64 : i64, priority = 6 : i64, layer = "m.conv1"}
  pe_isa.message tag 2 from <0, 2> to [<0, 1>] flits 1 vc 0 mode "tree" route <<0, 2> -> <0, 1>> label "m.conv1.Outputs.1" {bytes = 64 : i64, priority = 5 : i64, layer = "m.conv1"}
  pe_isa.message tag 3 from <1, 0> to [<1, 1>] flits 8 vc 1 mode "tree" route <<1, 0> -> <1, 1>> label "m.conv2.Weights" {bytes = 1024 : i64, priority = 4 : i64, layer = "m.conv2"}
  pe_isa.message tag 4 from <0, 1> to [<1, 1>] flits 1 vc 0 mode "tree" route <<0, 1> -> <1, 1>> label "m.conv2.Inputs.0" {bytes = 128 : i64, priority = 3 : i64, layer = "m.conv2"}
  pe_isa.message tag 5 from <0, 1> to [<1, 0>] flits 1 vc 0 mode "tree" route <<0, 1> -> <1, 1>, <1, 1> -> <1, 0>> label "m.conv2.Inputs.1" {bytes = 128 : i64, priority = 2 : i64, layer = "m.conv2"}
  pe_isa.message tag 6 from <1, 1> to [<2, 0>] flits 1 vc 0 mode "tree" route <<1, 1> -> <2, 1>, <2, 1> -> <2, 0>> label "m.conv2.Outputs.0" {bytes = 128 : i64, priority = 1 : i64, layer = "m.conv2"}
  pe_isa.message tag 7 from <1, 0> to [<2, 0>] flits 1 vc 0 mode "tree" route <<1, 0> -> <2, 0>> label "m.conv2.Outputs.1" {bytes = 128 : i64, layer = "m.conv2"}
  pe_isa.message tag 8 from <0, 1> to [<1, 0>] flits 1 vc 0 mode "tree" route <<0, 1> -> <1, 1>, <1, 1> -> <1, 0>> label "ctrl.m.conv1.sink.m.conv2.src.Weights" {control, layer = "m.conv2"}
  pe_isa.program on <0, 0> {
    pe_isa.block "m.conv1.src.Weights.0" attributes {layer = "m.conv1"} {
      pe_isa.loop count 16 {
        pe_isa.mem_read bytes 144
      }
    }
    pe_isa.block "m.conv1.w0" attributes {buffer = 3552 : i64, layer = "m.conv1"} {
      pe_isa.recv tag 0
      pe_isa.loop count 16 {
        pe_isa.compute cycles 36
        pe_isa.send tag 1
      }
    }
  }
  pe_isa.program on <1, 0> {
    pe_isa.block "m.conv2.src.Weights" attributes {layer = "m.conv2"} {
      pe_isa.recv tag 8
      pe_isa.mem_read bytes 1024
      pe_isa.send tag 3
    }
    pe_isa.block "m.conv2.w1" attributes {buffer = 2432 : i64, layer = "m.conv2"} {
      pe_isa.loop count 8 {
        pe_isa.recv tag 5
        pe_isa.compute cycles 16
        pe_isa.send tag 7
      }
    }
  }
  pe_isa.program on <2, 0> {
    pe_isa.block "m.conv2.sink" attributes {layer = "m.conv2"} {
      pe_isa.loop count 8 {
        pe_isa.recv tag 6
        pe_isa.mem_write bytes 128
        pe_isa.recv tag 7
        pe_isa.mem_write bytes 128
      }
    }
  }
  pe_isa.program on <0, 1> {
    pe_isa.block "m.conv1.src.Inputs" attributes {layer = "m.conv1"} {
      pe_isa.mem_read bytes 1600
      pe_isa.send tag 0
    }
    pe_isa.block "m.conv1.sink" attributes {layer = "m.conv1"} {
      pe_isa.loop count 16 {
        pe_isa.recv tag 1
        pe_isa.recv tag 2
      }
      pe_isa.send tag 8
      pe_isa.loop count 8 {
        pe_isa.send tag 4
        pe_isa.send tag 5
      }
    }
  }
  pe_isa.program on <1, 1> {
    pe_isa.block "m.conv2.w0" attributes {buffer = 2432 : i64, layer = "m.conv2"} {
      pe_isa.recv tag 3
      pe_isa.loop count 8 {
        pe_isa.recv tag 4
        pe_isa.compute cycles 16
        pe_isa.send tag 6
      }
    }
  }
  pe_isa.program on <0, 2> {
    pe_isa.block "m.conv1.src.Weights.1" attributes {layer = "m.conv1"} {
      pe_isa.loop count 16 {
        pe_isa.mem_read bytes 144
      }
    }
    pe_isa.block "m.conv1.w1" attributes {buffer = 3552 : i64, layer = "m.conv1"} {
      pe_isa.recv tag 0
      pe_isa.loop count 16 {
        pe_isa.compute cycles 36
        pe_isa.send tag 2
      }
    }
  }
}

