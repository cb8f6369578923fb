// examples/reproduce/cnc_dimension.hpp — Study C, part (a): the CNC measurement against dimension.
//
// At random points of a network, the bottom k eigenpairs (λ_j, v_j) of the Hessian of the mean
// cross-entropy over a set of training images (Lanczos on Hessian-vector products), and along each
// v_j the mean squared projection of the normalised per-sample gradients,
//   μ_j = E_z[(v_jᵀ∇f_z)² / ‖∇f_z‖²]                       (analysis/cnc.hpp)
// against the isotropic baseline 1/d of a direction uniform on the sphere of R^d (Daneshmand,
// Kohler, Lucchi and Hofmann, "Escaping Saddles with Stochastic Gradients", ICML 2018, §3, Fig. 2).
// Families: their networks (sigmoid, 2 units a layer, no biases, 10×10 images, weights N(0, 1))
// as depth grows; ReLU networks on 28×28 images at PyTorch's initialisation as width grows, one
// and three hidden layers; and the seed models, the MLP 784-128-64-10 and LeNet-5.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "saddle/analysis/cnc.hpp"
#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/nn/models/models.hpp"
#include "examples/common/plot.hpp"
#include "examples/reproduce/protocol.hpp"
#include "examples/reproduce/report.hpp"

namespace saddle::examples::reproduce {

// MNIST's 20×20 box, in which the digits were size-normalised and centred (rows and columns
// 4…23 of the 28×28 image), averaged over 2×2 blocks: the 10×10 images of Daneshmand et al.'s
// networks, as (N, 1, 10, 10).
inline data::Dataset<T> downsample_10x10(const data::Dataset<T>& d) {
  data::Dataset<T> out;
  out.labels = d.labels;
  out.images = Tensor<T>::from_shape(Shape{d.size(), 1, 10, 10});
  for (std::size_t n = 0; n < d.size(); ++n)
    for (std::size_t r = 0; r < 10; ++r)
      for (std::size_t c = 0; c < 10; ++c) {
        double s = 0;
        for (std::size_t i = 0; i < 2; ++i)
          for (std::size_t j = 0; j < 2; ++j) s += double(d.images(n, 0, 4 + 2 * r + i, 4 + 2 * c + j));
        out.images(n, 0, r, c) = static_cast<T>(s / 4);
      }
  return out;
}

// One network of a family.
struct CncNetwork {
  std::string family;  // a line of the figure
  std::string model;   // "depth 4", "width 64", "lenet5"
  bool paper = false;  // Daneshmand et al.'s: 10×10 images and weights N(0, 1)
  nn::FullyConnected spec;
  std::string named;   // a model of make_model instead of spec ("mlp", "lenet5")
};

// What one random point gave.
struct CncPoint {
  CncNetwork net;
  std::size_t dimension = 0;
  std::uint64_t point = 0;  // the seed of the random point
  std::vector<double> lambda, mu, residual;
  int products = 0;
  bool converged = false;
};

struct CncDimension {
  std::vector<std::size_t> paper_depths{1, 4, 16, 64, 256};
  std::vector<std::size_t> widths_one{16, 64, 256, 1024}, widths_three{16, 64, 256};
  std::size_t paper_points = 10, points = 3;  // random points per network
  std::size_t paper_samples = 1000, samples = 500;
  int k = 3, max_products = 120;
  double tol = 1e-3;
  static CncDimension quick() { return {{1, 8}, {8, 16}, {8}, 2, 2, 100, 64, 2, 20, 1e-2}; }

  std::vector<CncNetwork> networks() const {
    std::vector<CncNetwork> out;
    for (std::size_t depth : paper_depths)
      out.push_back({"sigmoid 2 units a layer (Daneshmand et al.)", "depth " + std::to_string(depth), true,
                     {.inputs = 100, .hidden = std::vector<std::size_t>(depth, 2), .classes = 10,
                      .activation = "sigmoid", .bias = false},
                     ""});
    for (std::size_t w : widths_one)
      out.push_back({"ReLU 1 hidden layer", "width " + std::to_string(w), false,
                     {.inputs = 784, .hidden = {w}, .classes = 10, .activation = "relu", .bias = true}, ""});
    for (std::size_t w : widths_three)
      out.push_back({"ReLU 3 hidden layers", "width " + std::to_string(w), false,
                     {.inputs = 784, .hidden = {w, w, w}, .classes = 10, .activation = "relu", .bias = true}, ""});
    out.push_back({"MLP 784-128-64-10", "mlp", false, {}, "mlp"});
    out.push_back({"LeNet-5", "lenet5", false, {}, "lenet5"});
    return out;
  }
};

// The network at random point `point`: Daneshmand et al.'s with every weight drawn N(0, 1), the
// others at PyTorch's initialisation from that seed.
inline std::unique_ptr<nn::Module<T>> cnc_model(const CncNetwork& net, std::uint64_t point) {
  if (!net.named.empty()) return nn::make_model<T>(net.named, point);
  std::unique_ptr<nn::Module<T>> m = nn::fully_connected<T>(net.spec, point);
  if (net.paper) {
    std::mt19937_64 rng(point);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (Var<T> p : m->parameters())
      for (T& w : p.mutable_value()) w = static_cast<T>(normal(rng));
  }
  return m;
}

// The bottom eigenpairs of the Hessian over the first `samples` images of `data` at the model's
// parameters, and μ_j along them.
inline CncPoint measure_cnc(const CncNetwork& net, std::uint64_t point, const data::Dataset<T>& data,
                            std::size_t samples, const CncDimension& p) {
  std::unique_ptr<nn::Module<T>> model = cnc_model(net, point);
  const Objective<T> f(cross_entropy_loss(*model), data, sample_range(0, samples, std::min<std::size_t>(samples, 250)));
  const TensorList<T> theta = nn::parameter_values(*model);
  EigenOptions eig;
  eig.k = p.k;
  eig.max_iter = p.max_products;
  eig.tol = p.tol;
  eig.seed = point;
  eig.which_smallest = true;
  const EigenResult<T> e = lanczos_bottom<T>(HessianOperator<T>(f, theta), theta, eig);
  const NormalizedProjections mu = normalized_projections(f, theta, e.eigenvectors);
  CncPoint out;
  out.net = net;
  out.dimension = mu.dimension;
  out.point = point;
  out.lambda = e.eigenvalues;
  out.mu = mu.mean_squared;
  out.residual = e.residuals;
  out.products = e.iterations;
  out.converged = e.converged;
  return out;
}

// The least-squares slope of log y against log x.
inline double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += std::log(x[i]), my += std::log(y[i]);
  mx /= double(x.size());
  my /= double(y.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxx > 0 ? sxy / sxx : NAN;
}

// Part (a): every network at every random point; the rows of cnc_dimension.csv, and the claims'
// figures per family: the largest d, μ₁ there (mean over points) and the slope of log μ₁ on log d.
struct FamilyFit {
  std::size_t largest = 0;
  double mu_at_largest = 0, slope = NAN;
};

inline std::map<std::string, FamilyFit> run_cnc_dimension(const data::Dataset<T>& train, const std::string& out,
                                                          const Scale& scale) {
  const CncDimension p = scale.quick ? CncDimension::quick() : CncDimension{};
  const data::Dataset<T> small = downsample_10x10(train.slice(0, p.paper_samples));
  CsvWriter rows(out + "/cnc_dimension.csv", {"family", "model", "dimension", "point", "j", "lambda", "mu",
                                              "isotropic", "ratio", "residual", "products", "converged"});
  CsvWriter means(out + "/cnc_dimension_means.csv", {"family", "dimension", "mu_1", "mu_1_min", "mu_1_max"});
  std::map<std::string, std::vector<double>> dims, mus;  // per family, mean μ₁ per network
  std::set<std::size_t> all_dims;
  using N = CsvWriter;
  for (const CncNetwork& net : p.networks()) {
    std::vector<double> mu1;
    std::size_t d = 0;
    const auto start = std::chrono::steady_clock::now();
    const std::size_t points = net.paper ? p.paper_points : p.points;
    for (std::uint64_t point = 0; point < points; ++point) {
      const CncPoint c = net.paper ? measure_cnc(net, point, small, p.paper_samples, p)
                                   : measure_cnc(net, point, train, p.samples, p);
      d = c.dimension;
      for (std::size_t j = 0; j < c.mu.size(); ++j)
        rows.row({net.family, net.model, std::to_string(d), std::to_string(point), std::to_string(j + 1),
                  N::num(c.lambda[j]), N::num(c.mu[j]), N::num(1.0 / double(d)), N::num(c.mu[j] * double(d)),
                  N::num(c.residual[j]), std::to_string(c.products), c.converged ? "1" : "0"});
      mu1.push_back(c.mu.at(0));
    }
    const Stats s = stats(mu1);
    const auto [lo, hi] = std::minmax_element(mu1.begin(), mu1.end());
    means.row({net.family, std::to_string(d), N::num(s.mean), N::num(*lo), N::num(*hi)});
    dims[net.family].push_back(double(d));
    mus[net.family].push_back(s.mean);
    all_dims.insert(d);
    std::printf("  %-46s %-9s d = %7zu  μ₁ = %.3g (1/d = %.3g)  %.1fs\n", net.family.c_str(), net.model.c_str(), d,
                s.mean, 1.0 / double(d),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::fflush(stdout);
  }
  for (std::size_t d : all_dims) {
    const std::string iso = N::num(1.0 / double(d));
    means.row({"isotropic 1/d", std::to_string(d), iso, iso, iso});
  }
  rows.finish();
  means.finish();
  std::map<std::string, FamilyFit> fits;
  for (const auto& [family, x] : dims) {
    FamilyFit f;
    const std::size_t last = static_cast<std::size_t>(std::max_element(x.begin(), x.end()) - x.begin());
    f.largest = static_cast<std::size_t>(x[last]);
    f.mu_at_largest = mus[family][last];
    if (x.size() > 1) f.slope = log_log_slope(x, mus[family]);
    fits[family] = f;
  }
  plot_csv(PlotSpec(out + "/cnc_dimension_means.csv", out + "/cnc_dimension.png",
                    "CNC: normalised per-sample gradients on the λ_min eigenvector", "dimension d (log scale)",
                    "E_z[(v₁ᵀ∇f_z)²/‖∇f_z‖²] (log scale)", "dimension", {"mu_1"})
               .by("family")
               .logarithmic_x()
               .logarithmic_y()
               .key_below()
               .band("mu_1_min", "mu_1_max"));
  return fits;
}

// The claims of part (a). A family passes its two tests when μ₁ does not fall like 1/d (the slope
// of log μ₁ on log d is above −0.5, halfway to the isotropic −1) and μ₁ stays well above 1/d (at
// least 10/d at the family's largest d).
inline void cnc_dimension_claims(Report& report, const std::map<std::string, FamilyFit>& fits, const CncDimension& p) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [family, f] : fits)
    rows.push_back({family, std::to_string(f.largest), sci(f.mu_at_largest, 2), sci(1.0 / double(f.largest), 2),
                    fixed(f.mu_at_largest * double(f.largest), 1), std::isnan(f.slope) ? "—" : fixed(f.slope, 2)});
  report.table("(a) μ₁ = E_z[(v₁ᵀ∇f_z)²/‖∇f_z‖²] at the largest d of each family (mean over random points; "
               "cnc_dimension.csv has every point and the next eigenvectors)",
               {"family", "largest d", "μ₁", "1/d", "μ₁·d", "slope of log μ₁ on log d"}, rows);
  auto passes = [&](const std::string& family, int* tests) {
    const FamilyFit& f = fits.at(family);
    const bool flat = !std::isnan(f.slope) && f.slope > -0.5, above = f.mu_at_largest * double(f.largest) >= 10;
    *tests += int(flat) + int(above);
    return "slope " + (std::isnan(f.slope) ? std::string("—") : fixed(f.slope, 2)) + ", μ₁·d = " +
           fixed(f.mu_at_largest * double(f.largest), 1) + " at d = " + std::to_string(f.largest);
  };
  auto verdict = [](int tests, int of) {
    return tests == of ? Verdict::reproduced : tests > 0 ? Verdict::partly : Verdict::not_reproduced;
  };
  const std::string paper = "sigmoid 2 units a layer (Daneshmand et al.)";
  int paper_tests = 0;
  const std::string paper_text = passes(paper, &paper_tests);
  report.claim({"On Daneshmand et al.'s networks (sigmoid, 2 units a layer, no biases, 10×10 MNIST, weights N(0, 1), " +
                    std::to_string(p.paper_points) + " random points per depth), the squared projection of normalised "
                    "stochastic gradients on the leftmost eigenvector stays of constant order as the dimension grows, "
                    "while isotropic noise's falls like 1/d",
                paper_text, verdict(paper_tests, 2),
                "reproduced when the slope of log μ₁ on log d is above −0.5 and μ₁ ≥ 10/d at the largest depth; partly "
                "when one of the two holds",
                "cnc_dimension.png"});
  int real_tests = 0;
  std::string real_text;
  for (const char* family : {"ReLU 1 hidden layer", "ReLU 3 hidden layers"})
    real_text += std::string(real_text.empty() ? "" : "; ") + family + ": " + passes(family, &real_tests);
  for (const char* family : {"MLP 784-128-64-10", "LeNet-5"}) {
    const FamilyFit& f = fits.at(family);
    real_text += std::string("; ") + family + " (d = " + std::to_string(f.largest) + "): μ₁·d = " +
                 fixed(f.mu_at_largest * double(f.largest), 1);
  }
  report.claim({"The same on the seeds' real models as width and depth grow (ReLU networks of 1 and 3 hidden layers at "
                "PyTorch's initialisation, the MLP 784-128-64-10 and LeNet-5)",
                real_text, verdict(real_tests, 4),
                "the two tests of claim 1 for each of the two ReLU families: reproduced when all four hold, partly when "
                "some do",
                "cnc_dimension.png"});
  report.figure("cnc_dimension.png", "(a) μ₁ against the dimension, with the isotropic 1/d (band: min to max over random "
                                     "points)");
}

}  // namespace saddle::examples::reproduce
