// examples/reproduce/report.hpp — REPORT.md of a reproduction: what ran, each claim of the study
// with the measured figure beside it (mean ± sd over seeds), a verdict, and the figure that shows it.
// Written atomically (OutputFile), last, so a REPORT.md is there only when the study finished.
#pragma once

#include <string>
#include <vector>

#include "examples/common/cli.hpp"
#include "examples/common/output_file.hpp"

namespace saddle::examples::reproduce {

enum class Verdict { reproduced, partly, not_reproduced };

inline const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::reproduced: return "reproduced";
    case Verdict::partly: return "partly";
    case Verdict::not_reproduced: return "not reproduced";
  }
  return "?";
}

struct Claim {
  std::string claim;     // the study's words
  std::string measured;  // what this run found, with mean ± sd over seeds
  Verdict verdict;
  std::string rule;      // how the verdict follows from the measurement
  std::string figure;    // a PNG in the report's directory, or "" when there is nothing to show
};

class Report {
 public:
  explicit Report(std::string title) : title_(std::move(title)) {}

  void paragraph(const std::string& text) { body_ += text + "\n\n"; }
  void claim(Claim c) { claims_.push_back(std::move(c)); }
  void figure(const std::string& png, const std::string& caption) {
    figures_ += "### " + caption + "\n\n![" + caption + "](" + png + ")\n\n";
  }
  // A markdown table under a heading: header cells, then rows.
  void table(const std::string& heading, const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows) {
    body_ += "### " + heading + "\n\n" + line(header) + "|";
    for (std::size_t i = 0; i < header.size(); ++i) body_ += "---|";
    body_ += "\n";
    for (const auto& r : rows) body_ += line(r);
    body_ += "\n";
  }

  void write(const std::string& path) const {
    // What ran the arithmetic (cli.hpp): another BLAS kernel or thread count changes the last digits.
    std::string text = "# " + title_ + "\n\n" + body_ + "Ran with " + run_context() + ".\n\n## Claims\n\n";
    text += line({"#", "claim", "measured", "verdict", "figure"}) + "|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < claims_.size(); ++i) {
      const Claim& c = claims_[i];
      text += line({std::to_string(i + 1), c.claim, c.measured, std::string("**") + to_string(c.verdict) + "**",
                    c.figure.empty() ? std::string("—") : "[" + c.figure + "](" + c.figure + ")"});
    }
    text += "\nHow each verdict is decided:\n\n";
    for (std::size_t i = 0; i < claims_.size(); ++i)
      text += std::to_string(i + 1) + ". " + claims_[i].rule + "\n";
    text += "\n## Figures\n\n" + figures_;
    OutputFile out(path);
    out.write(text);
    out.commit();
  }

 private:
  static std::string line(const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const auto& c : cells) {
      std::string cell;
      for (char ch : c) cell += ch == '|' ? std::string("\\|") : std::string(1, ch);
      s += " " + cell + " |";
    }
    return s + "\n";
  }

  std::string title_, body_, figures_;
  std::vector<Claim> claims_;
};

}  // namespace saddle::examples::reproduce
