// examples/common/plot.hpp — figures from a tidy CSV through gnuplot (Debian's gnuplot-nox),
// one line per (series, metric), PNG out.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace saddle::examples {

struct PlotSpec {
  std::string csv, png, title, xlabel, ylabel;
  std::string x_column;                  // e.g. "epoch"
  std::vector<std::string> y_columns;    // one line each
  std::string group_column;              // optional: one line per value of this column (e.g. "optimizer")
  bool log_y = false;
};

inline void plot_csv(const PlotSpec& p) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
    throw Error("plot: gnuplot is not installed (Debian package gnuplot-nox; scripts/setup.sh installs it)");
  std::FILE* gp = popen("gnuplot 2>&1", "w");
  if (!gp) throw Error("plot: cannot start gnuplot");
  std::fprintf(gp, "set datafile separator ','\nset terminal pngcairo size 900,560 noenhanced\nset output '%s'\n",
               p.png.c_str());
  std::fprintf(gp, "set title '%s'\nset xlabel '%s'\nset ylabel '%s'\nset key outside right\nset grid\n",
               p.title.c_str(), p.xlabel.c_str(), p.ylabel.c_str());
  if (p.log_y) std::fprintf(gp, "set logscale y\n");
  // columns by name: column('name') needs the header read as column heads
  std::fprintf(gp, "set key autotitle columnhead\n");
  std::string cmd = "plot ";
  bool first = true;
  for (const auto& y : p.y_columns) {
    if (p.group_column.empty()) {
      cmd += std::string(first ? "" : ", ") + "'" + p.csv + "' using (column('" + p.x_column + "')):(column('" + y +
             "')) with linespoints title '" + y + "'";
    } else {
      // one line per group: gnuplot's stats cannot enumerate strings, so filter with awk
      cmd += std::string(first ? "" : ", ") + "for [g in system(\"awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i==\\\"" +
             p.group_column + "\\\") c=i} NR>1{print $c}' " + p.csv + " | awk '!s[$0]++' | tr '\\n' ' '\")] '" + p.csv +
             "' using (strcol('" + p.group_column + "') eq g ? column('" + p.x_column + "') : NaN):(column('" + y +
             "')) with linespoints title g." + (p.y_columns.size() > 1 ? "' " + y + "'" : "''");
    }
    first = false;
  }
  std::fprintf(gp, "%s\n", cmd.c_str());
  const int rc = pclose(gp);
  if (rc != 0) throw Error("plot: gnuplot failed to render " + p.png);
}

}  // namespace saddle::examples
