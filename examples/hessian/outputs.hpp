// examples/hessian/outputs.hpp — what the hessian program reports: eigenpairs with what is certified,
// the per-layer table, the files of eigenvectors and diagonals, and the distribution of the top
// eigenvalue over batches. The JSON keys are the README's schema ("hessian --json").
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "saddle/analysis/density.hpp"
#include "saddle/analysis/trace.hpp"
#include "saddle/base/linear_operator.hpp"
#include "saddle/base/npz.hpp"
#include "examples/common/csv_writer.hpp"

namespace saddle::examples {

using json = nlohmann::json;

// Lanczos certifies each pair against its own tolerance and verifies that none was skipped
// (saddle/base/lanczos.hpp); power iteration reports its residuals only.
inline json eigen_json(const EigenResult<double>& r, double seconds) {
  json j = {{"eigenvalues", r.eigenvalues},
            {"residuals", r.residuals},
            {"products", r.iterations},
            {"converged", r.converged},
            {"seconds", seconds}};
  if (!r.tolerances.empty()) {
    std::vector<bool> certified;
    for (std::size_t i = 0; i < r.residuals.size(); ++i) certified.push_back(r.residuals[i] <= r.tolerances[i]);
    j["tolerances"] = r.tolerances;
    j["certified"] = certified;
    j["verified"] = r.verified;
    j["missed_then_found"] = r.missed;
  }
  return j;
}

// "converged and verified", or what is not certified: "not converged: pairs 2, 3 above their tolerance".
inline std::string certification(const json& r) {
  if (!r.contains("certified")) return r["converged"].get<bool>() ? "converged" : "not converged";
  std::string open;
  std::size_t count = 0;
  const auto certified = r["certified"].get<std::vector<bool>>();
  for (std::size_t i = 0; i < certified.size(); ++i)
    if (!certified[i]) open += (count++ ? ", " : "") + std::to_string(i + 1);
  if (count) return "not converged: pair" + std::string(count == 1 ? " " : "s ") + open + " above " +
                    (count == 1 ? "its" : "their") + " tolerance";
  if (!r["verified"].get<bool>())
    return "each pair within its tolerance, but the check for skipped eigenvalues ran out of steps";
  const int found = r["missed_then_found"].get<int>();
  return found ? "converged and verified (the check found " + std::to_string(found) + " the first run had skipped)"
               : "converged and verified";
}

inline std::string join(const std::vector<double>& x) {
  std::string s;
  char buf[32];
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i ? "  " : "", x[i]);
    s += buf;
  }
  return s;
}

inline void write_density(const std::string& path, const SpectralDensity& d) {
  CsvWriter out(path, {"lambda", "density"});
  for (std::size_t i = 0; i < d.grid.size(); ++i) out.row({CsvWriter::num(d.grid[i]), CsvWriter::num(d.density[i])});
  out.finish();
}

// One array per eigenvector per parameter: "top_1.fc1.weight", …, "bottom_1.fc1.weight", ….
inline void add_eigenvectors(NamedTensors<double>& arrays, const std::string& part, const EigenResult<double>& r,
                             const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < r.eigenvectors.size(); ++i)
    for (std::size_t g = 0; g < names.size(); ++g)
      arrays.emplace_back(part + "_" + std::to_string(i + 1) + "." + names[g], r.eigenvectors[i][g]);
}

// The diagonal as "<name>" and its standard error as "<name>.standard_error", per parameter.
inline void save_diagonal(const std::string& path, const DiagonalEstimate<double>& d,
                          const std::vector<std::string>& names) {
  NamedTensors<double> arrays;
  for (std::size_t g = 0; g < names.size(); ++g) {
    arrays.emplace_back(names[g], d.diagonal[g]);
    arrays.emplace_back(names[g] + ".standard_error", d.standard_error[g]);
  }
  save_npz(path, arrays);
}

struct Summary {
  double mean = 0, sd = 0, min = INFINITY, max = -INFINITY;
};

inline Summary summary_of(const std::vector<double>& x) {
  Summary s;
  for (double v : x) {
    s.mean += v / double(x.size());
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  for (double v : x) s.sd += x.size() > 1 ? (v - s.mean) * (v - s.mean) / double(x.size() - 1) : 0;
  s.sd = std::sqrt(s.sd);
  return s;
}

}  // namespace saddle::examples
