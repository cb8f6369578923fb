// examples/common/plot.hpp — figures from a tidy CSV through gnuplot (Debian's gnuplot-nox), one
// line per (series, metric), PNG out.
//
// No shell anywhere: the CSV is read here, its rows grouped here (one line per optimizer, say), and
// the numbers handed to gnuplot as inline data blocks, so no file name but the PNG's reaches the
// script. gnuplot is started with posix_spawnp (an argv, no shell) and reads the script on its
// stdin. The PNG's name and every title are gnuplot single-quoted strings, in which nothing is
// substituted (no backquote command, no macro, no backslash escape) and a quote is written twice;
// a line break would end the command, so it is refused. The PNG's name is made absolute, so it
// never starts with '|' (gnuplot's "write to a command"). gnuplot renders into a temporary file
// beside the target (OutputFile), which is checked non-empty and renamed over it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "saddle/base/distributed.hpp"
#include "saddle/base/tensor.hpp"
#include "examples/common/output_file.hpp"

extern char** environ;

namespace saddle::examples {

struct PlotSpec {
  std::string csv, png, title, xlabel, ylabel;
  std::string x_column;                // e.g. "epoch"
  std::vector<std::string> y_columns;  // one line each
  std::string group_column;            // optional: one line per value of this column (e.g. "optimizer")
  bool log_x = false, log_y = false;
  bool key_under = false;  // the legend below the plot (long names), not on its right
  // Optional shaded bands, one per y column in order: the columns of its lower and upper edge (a
  // spread over seeds or random points), drawn under the line in its colour.
  std::vector<std::pair<std::string, std::string>> bands;
  bool integer_x = false;  // x counts steps or epochs: ticks at whole numbers only
  bool points = true;      // false: lines only (per-step curves of thousands of points)
  // Accuracies in [0, 1] drawn as error rates 100·(1 − a) % on a log axis, so that 96.7% against
  // 97.6% reads as 3.3% against 2.4%: on the left axis (error_pct) or on a second, right axis
  // (y2_columns, labelled y2label) beside y_columns.
  bool error_pct = false;
  std::vector<std::string> y2_columns;
  std::string y2label;

  // The figure of `y_columns` against `x_column` of the CSV; the options below, chained.
  PlotSpec(std::string csv_path, std::string png_path, std::string figure_title, std::string x_label,
           std::string y_label, std::string x, std::vector<std::string> ys)
      : csv(std::move(csv_path)), png(std::move(png_path)), title(std::move(figure_title)),
        xlabel(std::move(x_label)), ylabel(std::move(y_label)), x_column(std::move(x)), y_columns(std::move(ys)) {}
  PlotSpec& by(std::string column) { return group_column = std::move(column), *this; }
  PlotSpec& logarithmic_y(bool on = true) { return log_y = on, *this; }
  PlotSpec& logarithmic_x(bool on = true) { return log_x = on, *this; }
  PlotSpec& key_below(bool on = true) { return key_under = on, *this; }
  PlotSpec& band(std::string lower, std::string upper) { return bands.emplace_back(lower, upper), *this; }
  PlotSpec& whole_x(bool on = true) { return integer_x = on, *this; }
  PlotSpec& lines_only(bool on = true) { return points = !on, *this; }
  PlotSpec& as_error_pct() { return error_pct = true, *this; }
  PlotSpec& right_axis_errors(std::vector<std::string> columns, std::string label) {
    y2_columns = std::move(columns);
    y2label = std::move(label);
    return *this;
  }
};

// The look of the k-th line of a figure: a colour of a qualitative palette (Okabe & Ito's eight,
// their pale yellow last, and four more of distinct hue and lightness) and a dash pattern, so that no two of the first 12
// lines share a colour and lines that cross stay apart in print; dashes cycle with period 5 and
// point types with period 13, so (colour, dash, point) repeats only after 780 lines.
inline std::string line_colour(std::size_t k) {
  static const char* const palette[] = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00",
                                        "#CC79A7", "#7F7F7F", "#8C564B", "#17BECF", "#BCBD22", "#F0E442"};
  constexpr std::size_t colours = sizeof palette / sizeof palette[0];
  return std::string("linecolor rgb '") + palette[k % colours] + "'";
}
inline std::string line_style(std::size_t k) {
  return line_colour(k) + " dashtype " + std::to_string(k % 5 + 1) + " pointtype " + std::to_string(k % 13 + 1) +
         " linewidth 2";
}

// A tick step for a whole-number axis over [lo, hi]: 1, 2 or 5 times a power of ten, about ten ticks.
inline double whole_tick_step(double lo, double hi) {
  const double raw = std::max(1.0, (hi - lo) / 10);
  double step = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * step >= raw) return m * step;
  return 10 * step;
}

// s as a gnuplot single-quoted string literal.
inline std::string gnuplot_quote(const std::string& s) {
  if (s.find_first_of(std::string("\n\r\0", 3)) != std::string::npos)
    throw Error("plot: '" + s.substr(0, s.find_first_of("\n\r")) + "…' holds a line break");
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// Whether gnuplot is on PATH, for the check before a run (so a figure never fails after the work).
inline void require_gnuplot() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t b = 0; b <= dirs.size();) {
    std::size_t e = dirs.find(':', b);
    if (e == std::string::npos) e = dirs.size();
    const std::string dir = e > b ? dirs.substr(b, e - b) : ".";
    if (::access((dir + "/gnuplot").c_str(), X_OK) == 0) return;
    b = e + 1;
  }
  throw Error("--plot: gnuplot is not installed (Debian package gnuplot-nox; scripts/setup.sh installs it)");
}

// How plot_csv reads the CSV and talks to gnuplot.
namespace gnuplot {

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells(1);
  for (char c : line) {
    if (c == ',')
      cells.emplace_back();
    else if (c != '\r')
      cells.back() += c;
  }
  return cells;
}

// A cell's number, or NaN when it is not one.
inline double parse_cell(const std::string& cell) {
  char* end = nullptr;
  const double x = std::strtod(cell.c_str(), &end);
  return cell.empty() || end != cell.c_str() + cell.size() ? NAN : x;
}

// A cell as gnuplot data: the number, or NaN (an empty or non-numeric cell breaks the line there).
inline std::string data_value(const std::string& cell) {
  char* end = nullptr;
  const double x = std::strtod(cell.c_str(), &end);
  if (cell.empty() || end != cell.c_str() + cell.size() || !std::isfinite(x)) return "NaN";
  return cell;
}

// Runs gnuplot on `script`; returns its exit status, and its messages in *messages.
inline int run(const std::string& script, std::string* messages) {
  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw Error(std::string("plot: cannot create a pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(in[0]);
    ::close(in[1]);
    throw Error(std::string("plot: cannot create a pipe: ") + std::strerror(e));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  char arg0[] = "gnuplot";
  char* argv[] = {arg0, nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(err[1]);
  if (spawned != 0) {
    ::close(in[1]);
    ::close(err[0]);
    throw Error(std::string("plot: cannot start gnuplot: ") + std::strerror(spawned));
  }
  // gnuplot stopping early must fail the figure, not kill this program with SIGPIPE.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  std::string_view rest = script;
  while (!rest.empty()) {
    const ssize_t n = ::write(in[1], rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // gnuplot is gone; its status and messages tell why
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ::close(in[1]);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(err[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    messages->append(buf, static_cast<std::size_t>(n));
  }
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGPIPE, &previous, nullptr);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Renders `script` (without terminal and output) to the PNG at `png_path`: gnuplot writes a
// temporary file beside it, checked non-empty and renamed over it (OutputFile).
inline void render(const std::string& png_path, const std::string& script) {
  OutputFile png(png_path);
  const std::string full = "set terminal pngcairo size 900,560 noenhanced\nset output " +
                           gnuplot_quote(std::filesystem::absolute(png.temp_path()).string()) + "\n" + script +
                           "set output\n";
  std::string messages;
  const int rc = run(full, &messages);
  struct stat st {};
  const bool written = ::stat(png.temp_path().c_str(), &st) == 0 && st.st_size > 0;
  if (rc != 0 || !written) {
    // gnuplot ends its report with the message itself, after the offending command
    const std::size_t end = messages.find_last_not_of(" \n");
    std::string last;
    if (end != std::string::npos) {
      const std::size_t newline = messages.rfind('\n', end);
      const std::size_t begin = newline == std::string::npos ? 0 : newline + 1;
      last = messages.substr(begin, end + 1 - begin);
    }
    throw Error("plot: gnuplot failed to render " + png_path + " (exit status " + std::to_string(rc) + ")" +
                (last.empty() ? "" : ": " + last));
  }
  png.commit();
}

// A tidy CSV as plot_csv and plot_heatmap read it: the header, then rows of the header's width.
struct Table {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw Error("plot: " + path + " has no column '" + name + "'");
  }
};

inline Table read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("plot: cannot read " + path + ": " + std::strerror(errno));
  Table t{path, {}, {}};
  std::string line;
  std::getline(in, line);
  t.header = split_csv_line(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    t.rows.push_back(split_csv_line(line));
    if (t.rows.back().size() != t.header.size())
      throw Error("plot: " + path + ": a row of " + std::to_string(t.rows.back().size()) + " cells for " +
                  std::to_string(t.header.size()) + " columns");
  }
  if (t.rows.empty()) throw Error("plot: " + path + " has no rows to plot");
  return t;
}

}  // namespace gnuplot

inline void plot_csv(const PlotSpec& p) {
  if (distributed::rank() != 0) return;  // rank 0 wrote the CSV and draws it (distributed.hpp)
  // The table, grouped in order of first appearance.
  const gnuplot::Table table = gnuplot::read_table(p.csv);
  auto column = [&](const std::string& name) { return table.column(name); };
  std::vector<std::size_t> cols{column(p.x_column)};
  for (const auto& y : p.y_columns) cols.push_back(column(y));
  for (const auto& y : p.y2_columns) cols.push_back(column(y));
  const std::size_t drawn = cols.size();  // x and the lines; the bands' edges follow
  for (const auto& [lower, upper] : p.bands) cols.push_back(column(lower)), cols.push_back(column(upper));
  // Which data columns (after x) hold accuracies to draw as error rates.
  auto as_error = [&](std::size_t c) { return c < drawn && (c > p.y_columns.size() || (c > 0 && p.error_pct)); };
  const std::size_t group = p.group_column.empty() ? 0 : column(p.group_column);
  std::vector<std::string> groups;
  std::vector<std::string> blocks;  // one inline data block per group: x y1 y2 …
  double x_lo = INFINITY, x_hi = -INFINITY;
  for (const std::vector<std::string>& cells : table.rows) {
    const std::string g = p.group_column.empty() ? "" : cells[group];
    std::size_t k = 0;
    while (k < groups.size() && groups[k] != g) ++k;
    if (k == groups.size()) {
      groups.push_back(g);
      blocks.emplace_back();
    }
    const double x = gnuplot::parse_cell(cells[cols[0]]);
    if (std::isfinite(x)) x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
    for (std::size_t c = 0; c < cols.size(); ++c) {
      std::string value = gnuplot::data_value(cells[cols[c]]);
      if (as_error(c) && value != "NaN") value = std::to_string(100 * (1 - gnuplot::parse_cell(value)));
      blocks[k] += (c ? " " : "") + value;
    }
    blocks[k] += '\n';
  }

  std::string script = "set title " + gnuplot_quote(p.title) + "\nset xlabel " + gnuplot_quote(p.xlabel) +
                       "\nset ylabel " + gnuplot_quote(p.ylabel) + (p.key_under ? "\nset key below\n" : "\nset key outside right\n") +
                       "set grid\n";
  if (p.log_y) script += "set logscale y\nset format y '%g'\n";
  if (p.error_pct && !p.log_y) script += "set logscale y\n";
  if (p.log_x) script += "set logscale x\nset format x '%g'\n";
  if (!p.y2_columns.empty())
    script += "set logscale y2\nset y2tics\nset ytics nomirror\nset y2label " + gnuplot_quote(p.y2label) + "\n";
  if (p.integer_x && x_lo <= x_hi)
    script += "set xtics " + std::to_string(whole_tick_step(x_lo, x_hi)) + "\nset format x '%.0f'\n";
  for (std::size_t k = 0; k < groups.size(); ++k)
    script += "$series" + std::to_string(k) + " << EOD\n" + blocks[k] + "EOD\n";
  std::string plot;
  for (std::size_t b = 0; b < p.bands.size() && b < p.y_columns.size(); ++b)
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const std::string lo = std::to_string(drawn + 2 * b + 1), hi = std::to_string(drawn + 2 * b + 2);
      plot += std::string(plot.empty() ? "plot " : ", ") + "$series" + std::to_string(k) + " using 1:" + lo + ":" +
              hi + " with filledcurves fillstyle transparent solid 0.2 noborder " +
              line_colour(b * groups.size() + k) + " notitle";
    }
  std::vector<std::string> ys = p.y_columns;
  ys.insert(ys.end(), p.y2_columns.begin(), p.y2_columns.end());
  for (std::size_t y = 0; y < ys.size(); ++y)
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const std::string name = as_error(y + 1) ? "error (1 − " + ys[y] + ")" : ys[y];
      const std::string title = groups[k].empty() ? name : ys.size() == 1 ? groups[k] : groups[k] + " " + name;
      plot += std::string(plot.empty() ? "plot " : ", ") + "$series" + std::to_string(k) + " using 1:" +
              std::to_string(y + 2) + (y >= p.y_columns.size() ? " axes x1y2" : "") +
              (p.points ? " with linespoints " : " with lines ") + line_style(y * groups.size() + k) + " title " +
              gnuplot_quote(title);
    }
  gnuplot::render(p.png, script + plot + "\n");
}

// A loss surface as a heat map with contour lines: z over the (x, y) grid of a tidy CSV (one row
// per grid point, the rows of one x together), one PNG.
struct HeatmapSpec {
  std::string csv, png, title, xlabel, ylabel, zlabel;
  std::string x_column, y_column, z_column;
};

// Title and axis labels of a heat map or grid.
inline std::string heatmap_labels(const HeatmapSpec& p) {
  return "set title " + gnuplot_quote(p.title) + "\nset xlabel " + gnuplot_quote(p.xlabel) + "\nset ylabel " +
         gnuplot_quote(p.ylabel) + "\nset cblabel " + gnuplot_quote(p.zlabel) + "\n";
}

inline void plot_heatmap(const HeatmapSpec& p) {
  const gnuplot::Table table = gnuplot::read_table(p.csv);
  const std::size_t cx = table.column(p.x_column), cy = table.column(p.y_column), cz = table.column(p.z_column);
  std::string block, previous_x;
  std::size_t rows = 0;
  for (const std::vector<std::string>& cells : table.rows) {
    if (rows > 0 && cells[cx] != previous_x) block += '\n';  // a blank line ends a scan of the grid
    previous_x = cells[cx];
    block += gnuplot::data_value(cells[cx]) + " " + gnuplot::data_value(cells[cy]) + " " +
             gnuplot::data_value(cells[cz]) + "\n";
    ++rows;
  }
  std::string script = heatmap_labels(p);
  script += "set view map\nset size ratio -1\nset contour base\nset cntrparam levels 12\nunset surface\n";
  script += "set key off\nset pm3d at b interpolate 2,2\nset palette cubehelix\n";
  script += "$grid << EOD\n" + block + "EOD\n";
  script += "splot $grid using 1:2:3 with pm3d, $grid using 1:2:3 with lines linecolor rgb '#ffffff'\n";
  gnuplot::render(p.png, script);
}

// A value per cell of a grid of configurations (say depth × width), each cell coloured and labelled
// with its value to two decimals: z over the (x, y) points of a tidy CSV on a regular grid.
inline void plot_grid(const HeatmapSpec& p) {
  const gnuplot::Table table = gnuplot::read_table(p.csv);
  const std::size_t cx = table.column(p.x_column), cy = table.column(p.y_column), cz = table.column(p.z_column);
  std::string block;
  for (const std::vector<std::string>& cells : table.rows)
    block += gnuplot::data_value(cells[cx]) + " " + gnuplot::data_value(cells[cy]) + " " +
             gnuplot::data_value(cells[cz]) + "\n";
  std::string script = heatmap_labels(p);
  script += "set key off\nset palette cubehelix\nset style textbox opaque noborder\nset xtics 1\nset ytics 1\n";
  script += "$grid << EOD\n" + block + "EOD\n";
  script += "plot $grid using 1:2:3 with image, $grid using 1:2:(sprintf('%.2f', $3)) with labels boxed\n";
  gnuplot::render(p.png, script);
}

}  // namespace saddle::examples
