// examples/reproduce/cnc_escape.hpp — Study C: a reproduction of Daneshmand, Kohler, Lucchi and
// Hofmann, "Escaping Saddles with Stochastic Gradients" (ICML 2018), on MNIST.
//
//   (a) the CNC measurement against dimension (cnc_dimension.hpp): μ₁ = E_z[(v₁ᵀ∇f_z)²/‖∇f_z‖²]
//       along the eigenvector of λ_min, and the next eigenvectors, against the isotropic 1/d;
//   (b) escaping a constructed strict saddle of a sigmoid network 784-w-10 (network_saddle.hpp):
//       steps to escape of GD, SGD, ISO-PGD, CNC-PGD and NCD as w grows.
//   (c) learning half-spaces (halfspace.hpp, halfspace_escape.hpp): the critical points of the
//       perceptron risk, and CNC-PGD against ISO-PGD from its strict saddles as D grows.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "examples/reproduce/cnc_dimension.hpp"
#include "examples/reproduce/halfspace_escape.hpp"
#include "examples/reproduce/network_saddle.hpp"
#include "examples/reproduce/report.hpp"

namespace saddle::examples::reproduce {

inline int run_cnc_escape(const std::string& data_dir, const std::string& out, const Scale& scale) {
  const auto started = std::chrono::steady_clock::now();
  const CncDimension pa = scale.quick ? CncDimension::quick() : CncDimension{};
  const NetworkSaddle pb = scale.quick ? NetworkSaddle::quick() : NetworkSaddle{};
  const std::size_t needed = std::max({pa.paper_samples, pa.samples, pb.samples});
  const Splits s = load_splits(data_dir, needed, 0, 0);
  std::printf("(a) the CNC measurement against dimension\n");
  const std::map<std::string, FamilyFit> fits = run_cnc_dimension(s.train, out, scale);
  std::printf("(b) escaping a strict saddle of a sigmoid network\n");
  const SaddleStudy saddle = run_network_saddle(s.train, out, scale);
  std::printf("(c) learning half-spaces: the saddles of the perceptron risk, and escaping them\n");
  const Halfspace pc = scale.quick ? Halfspace::quick() : Halfspace{};
  const HalfspaceStudy halfspace = run_halfspace(out, scale, pc);
  const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60;

  Report report("Study C: escaping saddles with stochastic gradients (Daneshmand et al. 2018) on MNIST");
  report.paragraph(std::string(scale.quick ? "**Quick mode**: the pipeline on slices, not the study's protocol. " : "") +
                   "Run time " + fixed(minutes, 1) + " minutes, " + std::to_string(scale.seeds) +
                   " seeds, T = float. The CSVs beside this report hold every measurement; "
                   "examples/reproduce/cnc_escape.hpp and the files it includes state the protocol.");
  cnc_dimension_claims(report, fits, pa);
  network_saddle_claims(report, saddle, pb);
  halfspace_claims(report, halfspace, pc);
  report.write(out + "/REPORT.md");
  std::printf("wrote %s/REPORT.md (%.1f minutes)\n", out.c_str(), minutes);
  return 0;
}

}  // namespace saddle::examples::reproduce
