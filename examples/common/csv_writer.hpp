// examples/common/csv_writer.hpp — tidy CSV (one row per step or epoch, one column per metric).
// Rows go to a temporary file beside the target as they come (OutputFile); finish() checks, syncs
// and renames it to FILE. A run that stops early (an error, divergence) never leaves a file that
// looks complete, nor a temporary: the writer destroyed without finish() removes it.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"
#include "examples/common/output_file.hpp"

namespace saddle::examples {

class CsvWriter {
 public:
  CsvWriter() = default;
  CsvWriter(const std::string& path, std::vector<std::string> columns) : file_(path), columns_(std::move(columns)) {
    write_line(columns_);
  }

  bool active() const { return file_.open(); }

  void row(const std::vector<std::string>& cells) {
    if (!active()) return;
    if (cells.size() != columns_.size())
      throw Error("csv: row of " + std::to_string(cells.size()) + " cells for " + std::to_string(columns_.size()) +
                  " columns");
    write_line(cells);
  }

  void finish() {
    if (active()) file_.commit();
  }

  static std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", x);
    return buf;
  }

 private:
  void write_line(const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + cells[i];
    line += '\n';
    file_.write(line);
  }

  OutputFile file_;
  std::vector<std::string> columns_;
};

}  // namespace saddle::examples
