#!/usr/bin/python3
"""The XOR motif of bin/xor-motif rebuilt in Brian2 (Debian's python3-brian), to check that libam's spiking
engine gives the same spike counts for the same network.

Eight current-based LIF neurons, dv/dt = (E_L - v + I + I_drive)/tau_m (v held while refractory),
dI/dt = -I/tau_syn, each spike adding its edge weight to I after the edge's delay; Euler steps of 0.1 ms.
Roles in the order in1 lat2 in3 lat4 xor5 hub6 fplus fminus, parameters as `xor-motif truth` uses them
by default (--readout laterals). Prints the truth table's counts for the four input pairs, then the graded
reference sweep (signal 0 and 1, reference 0, 0.1, ..., 1), as TSV: signal reference and the eight counts.

Usage: brian2_check.py [--readout laterals|inputs]
"""
import sys

import brian2 as b2
import numpy as np

b2.prefs.codegen.target = "numpy"
b2.defaultclock.dt = 0.1 * b2.ms
b2.BrianLogger.log_level_error()

E_L, V_TH, V_RESET = -70.0, -50.0, -65.0
TAU_M = [12, 15, 12, 15, 15, 6, 15, 6]        # ms: inputs, laterals, XOR, fast hub, F+, fast F-
T_REF = [3, 3, 3, 3, 3, 1, 3, 1]              # ms: excitatory 3, fast inhibitory 1
IN1, LAT2, IN3, LAT4, XOR5, HUB6, FP, FM = range(8)


def edges(readout_inputs):
    e = [(IN1, LAT2, 84, 1.0), (IN1, HUB6, 28, 1.0), (IN3, LAT4, 84, 1.0), (IN3, HUB6, 28, 1.0),
         (LAT2, XOR5, 84, 1.0), (LAT4, XOR5, 84, 1.0), (HUB6, LAT2, -84, 0.5), (HUB6, LAT4, -84, 0.5),
         (XOR5, FP, 28, 1.0), (XOR5, FM, 28, 1.0)]
    e += [(IN1, FP, 28, 1.0), (IN3, FM, 28, 1.0)] if readout_inputs else [(LAT2, FP, 28, 1.0), (LAT4, FM, 28, 1.0)]
    return e


def trial(s1, s3, readout_inputs=False, drive=25.0, tau_syn=8.0, duration=100.0):
    b2.start_scope()
    eqs = """
    dv/dt = (E_L - v + I + Idrive)/tau : 1 (unless refractory)
    dI/dt = -I/tau_syn : 1
    tau : second
    reft : second
    Idrive : 1
    """
    G = b2.NeuronGroup(8, eqs, threshold="v > V_TH", reset="v = V_RESET", refractory="reft", method="euler",
                       namespace={"E_L": E_L, "V_TH": V_TH, "V_RESET": V_RESET, "tau_syn": tau_syn * b2.ms})
    G.v = E_L
    G.tau = np.array(TAU_M, dtype=float) * b2.ms
    G.reft = np.array(T_REF, dtype=float) * b2.ms
    idrive = np.zeros(8)
    idrive[IN1], idrive[IN3] = drive * s1, drive * s3
    G.Idrive = idrive
    e = edges(readout_inputs)
    S = b2.Synapses(G, G, "w : 1", on_pre="I_post += w")
    S.connect(i=[x[0] for x in e], j=[x[1] for x in e])
    S.w = [x[2] for x in e]
    S.delay = np.array([x[3] for x in e]) * b2.ms
    mon = b2.SpikeMonitor(G)
    b2.run(duration * b2.ms)
    return np.bincount(np.asarray(mon.i), minlength=8)


def main():
    readout_inputs = "--readout" in sys.argv and sys.argv[sys.argv.index("--readout") + 1] == "inputs"
    print("# brian2 %s, numpy code generation, dt 0.1 ms, readout %s" % (b2.__version__, "inputs" if readout_inputs else "laterals"))
    print("signal\treference\tin1\tlat2\tin3\tlat4\txor5\thub6\tfplus\tfminus")
    rows = [(s1, s3) for s1 in (0, 1) for s3 in (0, 1)] + [(s1, r / 10) for s1 in (0, 1) for r in range(11)]
    for s1, s3 in rows:
        k = trial(s1, s3, readout_inputs)
        print("%g\t%g\t%s" % (s1, s3, "\t".join(str(int(x)) for x in k)))


if __name__ == "__main__":
    main()
