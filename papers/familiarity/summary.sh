#!/bin/bash
# summary.tsv: for each sweep and rule, the load at which the energy AUC and the recalled fraction fall
# through 0.95 (interpolated in log P between the last point above and the first below), beside the Hebb
# theory for the AUC: Phi((1 - 2f)^2 N / (2 sqrt P)) = 0.95, P = (1 - 2f)^4 N^2 / (4 * 1.6449^2).
set -euo pipefail
cd "$(dirname "$0")"
{
    printf 'sweep\trule\tmeasure\tN\tP_cross\tP_over_N\tP_over_N2\ttheory_P\n'
    for f in capacity-N100 capacity-N200 capacity-N400 capacity-flip capacity-rules; do
        for col in 10 18; do
            awk -F'\t' -v c=$col -v f=$f '
                !/^#/ && $1 != "model" {
                    if ($2 != r) { r = $2; lp = ""; done = 0 }
                    if (!done && $c < 0.95 && lp != "") {
                        x = exp(log(lp) + (log($4) - log(lp)) * (lv - 0.95) / (lv - $c))
                        th = (c == 10 && r == "hebb") ? sprintf("%.0f", (1 - 2 * $9)^4 * $3 * $3 / (4 * 1.644854^2)) : "-"
                        printf "%s\t%s\t%s\t%d\t%.0f\t%.3g\t%.4f\t%s\n", f, r, c == 10 ? "auc_energy" : "recall_frac", $3, x, x / $3, x / $3 / $3, th
                        done = 1
                    }
                    lp = $4; lv = $c
                }' $f.tsv
        done
    done
} > summary.tsv
