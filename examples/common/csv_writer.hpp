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
  CsvWriter() = default;  // records nothing: rows are dropped
  // Rows kept in memory only (text() gives them), for a run that writes no CSV file.
  explicit CsvWriter(std::vector<std::string> columns) : columns_(std::move(columns)), recording_(true) {
    text_ = header();
  }
  CsvWriter(const std::string& path, std::vector<std::string> columns)
      : path_(path), partial_(path + ".partial"), columns_(std::move(columns)), recording_(true) {
    out_.open(partial_);
    if (!out_) throw Error("csv: cannot write " + partial_);
    text_ = header();
    out_ << text_;
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
    if (!recording_) return;
    if (cells.size() != columns_.size())
      throw Error("csv: row of " + std::to_string(cells.size()) + " cells for " + std::to_string(columns_.size()) +
                  " columns");
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + cells[i];
    add_lines(line + '\n');
  }

  // The header and every row so far.
  const std::string& text() const { return text_; }

  // Continues a table from text() of an earlier run with the same columns (a resumed run).
  void restore(const std::string& text) {
    const std::string head = header();
    if (text.compare(0, head.size(), head) != 0 || (!text.empty() && text.back() != '\n'))
      throw Error("csv: the saved rows do not start with the header " + head.substr(0, head.size() - 1));
    add_lines(text.substr(head.size()));
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
  std::string header() const {
    std::string h;
    for (std::size_t i = 0; i < columns_.size(); ++i) h += (i ? "," : "") + columns_[i];
    return h + '\n';
  }
  void add_lines(const std::string& lines) {
    text_ += lines;
    if (!active()) return;
    out_ << lines;
    out_.flush();
  }

  std::string path_, partial_;
  std::vector<std::string> columns_;
  std::string text_;
  bool recording_ = false;
  std::ofstream out_;
};

}  // namespace saddle::examples
