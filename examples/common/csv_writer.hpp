// examples/common/csv_writer.hpp — tidy CSV (one row per step or epoch, one column per metric).
// Rows go to a temporary file beside the target as they come (OutputFile); finish() checks, syncs
// and renames it to FILE. A run that stops early (an error, divergence) never leaves a file that
// looks complete, nor a temporary: the writer destroyed without finish() removes it.
// The writer also keeps the table's text, which a checkpoint saves and a resumed run restores.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "saddle/base/tensor.hpp"
#include "examples/common/output_file.hpp"

namespace saddle::examples {

class CsvWriter {
 public:
  CsvWriter() = default;  // records nothing: rows are dropped
  // Rows kept in memory only (text() gives them), for a run that writes no CSV file.
  explicit CsvWriter(std::vector<std::string> columns) : columns_(std::move(columns)), recording_(true) {
    text_ = header();
  }
  CsvWriter(const std::string& path, std::vector<std::string> columns)
      : file_(path), columns_(std::move(columns)), recording_(true) {
    text_ = header();
    file_.write(text_);
  }

  bool active() const { return file_.open(); }

  void row(const std::vector<std::string>& cells) {
    if (!recording_) return;
    if (cells.size() != columns_.size())
      throw Error("csv: row of " + std::to_string(cells.size()) + " cells for " + std::to_string(columns_.size()) +
                  " columns");
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      // Cells are never quoted: a separator inside one would shift every column after it.
      if (cells[i].find_first_of(",\n\r\"") != std::string::npos)
        throw Error("csv: the cell '" + cells[i] + "' of column " + columns_[i] + " holds a comma, quote or line break");
      line += (i ? "," : "") + cells[i];
    }
    add_lines(line + '\n');
  }

  // The header and every row so far.
  const std::string& text() const { return text_; }

  // Continues a table from text() of an earlier run with the same columns (a resumed run).
  void restore(const std::string& text) {
    const std::string head = header();
    if (text.compare(0, head.size(), head) != 0 || text.back() != '\n')
      throw Error("csv: the saved rows do not start with the header " + head.substr(0, head.size() - 1));
    add_lines(text.substr(head.size()));
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
  std::string header() const {
    std::string h;
    for (std::size_t i = 0; i < columns_.size(); ++i) h += (i ? "," : "") + columns_[i];
    return h + '\n';
  }
  void add_lines(const std::string& lines) {
    text_ += lines;
    if (active()) file_.write(lines);
  }

  OutputFile file_;
  std::vector<std::string> columns_;
  std::string text_;
  bool recording_ = false;
};

}  // namespace saddle::examples
