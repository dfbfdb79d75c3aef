set terminal pngcairo size 873,411 font 'sans,10' noenhanced
set output 'grid.png'
unset key
unset colorbox
unset border
unset tics
set palette gray
set cbrange [0:1]
set size ratio -1
set lmargin 0
set rmargin 0
set bmargin 0
set tmargin 3
set xrange [-0.5:290]
set yrange [-0.5:116]
set title 'binarised test images; below: signed-xor-fa, signed-xor-fixed, backprop' offset 0,1 noenhanced
plot 'grid.dat' matrix with image
