#!/bin/bash
# Brunel (2000): the states of a sparse network of excitatory and inhibitory LIF neurons (model A) at the four
# points of his Figure 8: A synchronous regular, B synchronous irregular with fast oscillations, C asynchronous
# irregular, D synchronous irregular with slow oscillations. Each point: 12,500 neurons (10,000 E, 2,500 I),
# C_E = 1000, C_I = 250, J = 0.1 mV, D = 1.5 ms, theta 20 mV, V_r 10 mV, tau 20 ms, t_ref 2 ms, dt 0.1 ms,
# external Poisson input at eta x nu_thr from C_E neurons; 600 ms, the first 100 ms left out of the measures.
set -euo pipefail
cd "$(dirname "$0")"
BIN=${AM_BIN:-../../bin}
printf 'point\tg\teta\trate_hz\tcv_isi\tsynchrony\toscillation_hz\n' > summary.tsv
for p in "A 3 2" "B 6 4" "C 5 2" "D 4.5 0.9"; do
    set -- $p
    "$BIN/spiking" brunel --g "$2" --eta "$3" --time 600 --seed 1 --raster "raster-$1.tsv" --raster-neurons 50 \
        --rate "rate-$1.tsv" --quiet --out "point-$1.tsv"
    # synchrony: the standard deviation of the population rate (1 ms bins, after 100 ms) over its mean
    chi=$(awk -F'\t' '!/^#/ && NR > 1 && $1 >= 100 { s += $2; ss += $2 * $2; n++ }
        END { m = s / n; v = ss / n - m * m; printf "%.3f", (m > 0 ? sqrt(v > 0 ? v : 0) / m : 0) }' "rate-$1.tsv")
    row=$(awk -F'\t' '!/^#/ && $1 == "all" { printf "%.2f\t%.3f", $3, $4 }' "point-$1.tsv")
    # the population rhythm: the first peak of the rate's autocorrelation (lags 2-200 ms) above 0.2, as a
    # frequency; "-" when there is none
    osc=$(awk -F'\t' '!/^#/ && NR > 1 && $1 >= 100 { r[n++] = $2 }
        END { for (i = 0; i < n; i++) m += r[i]; m /= n; for (i = 0; i < n; i++) v += (r[i] - m) ^ 2
              for (L = 1; L <= 200; L++) { c = 0; for (i = 0; i + L < n; i++) c += (r[i] - m) * (r[i + L] - m); ac[L] = c / v }
              for (L = 2; L < 200; L++) if (ac[L] > 0.2 && ac[L] >= ac[L - 1] && ac[L] >= ac[L + 1]) { printf "%.0f", 1000 / L; exit }
              print "-" }' "rate-$1.tsv")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$row" "$chi" "$osc" >> summary.tsv
done
column -t -s $'\t' summary.tsv
./plot.sh
