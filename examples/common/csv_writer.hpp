// examples/common/csv_writer.hpp — tidy CSV (one row per step or epoch, one column per metric),
// written to FILE.partial and renamed to FILE by finish(): a run that stops early never leaves a
// file that looks complete.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace saddle::examples {

class CsvWriter {
 public:
  CsvWriter() = default;
  CsvWriter(const std::string& path, std::vector<std::string> columns)
      : path_(path), partial_(path + ".partial"), columns_(std::move(columns)) {
    out_.open(partial_);
    if (!out_) throw Error("csv: cannot write " + partial_);
    for (std::size_t i = 0; i < columns_.size(); ++i) out_ << (i ? "," : "") << columns_[i];
    out_ << '\n';
  }
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  CsvWriter(CsvWriter&&) = default;
  CsvWriter& operator=(CsvWriter&&) = default;
  ~CsvWriter() {
    if (out_.is_open()) {  // not finished: leave the .partial, never a complete-looking file
      out_.close();
    }
  }

  bool active() const { return out_.is_open(); }

  void row(const std::vector<std::string>& cells) {
    if (!active()) return;
    if (cells.size() != columns_.size())
      throw Error("csv: row of " + std::to_string(cells.size()) + " cells for " + std::to_string(columns_.size()) +
                  " columns");
    for (std::size_t i = 0; i < cells.size(); ++i) out_ << (i ? "," : "") << cells[i];
    out_ << '\n';
    out_.flush();
  }

  void finish() {
    if (!active()) return;
    out_.close();
    std::filesystem::rename(partial_, path_);
  }

  static std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", x);
    return buf;
  }

 private:
  std::string path_, partial_;
  std::vector<std::string> columns_;
  std::ofstream out_;
};

}  // namespace saddle::examples
