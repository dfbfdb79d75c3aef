# Load at which a fraction column of a bin/capacity TSV first falls through 1/2, per rule, by linear
# interpolation in P. Usage: awk -F'\t' -v col=all_fixed_frac -f tools/crossing.awk file.tsv
# Prints "rule<TAB>P" lines (P = NA when the column never falls through 1/2).
/^#/ { next }
!h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
{
    r = $c["rule"]; y = $c[col]; p = $c["P"]
    if (!(r in seen)) { seen[r] = 1; order[++n] = r }
    if (!(r in at) && (r in py) && py[r] >= 0.5 && y < 0.5)
        at[r] = pp[r] + (py[r] - 0.5) / (py[r] - y) * (p - pp[r])
    py[r] = y; pp[r] = p
}
END { for (k = 1; k <= n; k++) printf "%s\t%s\n", order[k], (order[k] in at) ? sprintf("%.1f", at[order[k]]) : "NA" }
