// reproduce — the studies saddle exists to reproduce, one command each. Each writes into --out DIR
// tidy CSVs (a row per logged step and per epoch, with the seed), PNG figures and REPORT.md: every
// claim of the study, the measured figure beside it (mean ± sd over seeds), a verdict and the
// figure that shows it.
//
//   reproduce optimizers-mnist --out runs/a          Study A (examples/reproduce/optimizers_mnist.hpp)
//   reproduce lenet5-spectra --out runs/b            Study B (examples/reproduce/lenet5_spectra.hpp)
//   reproduce cnc-escape --out runs/c                Study C (examples/reproduce/cnc_escape.hpp)
//   reproduce perturbed-gd --out runs/d              Study D (examples/reproduce/perturbed_gd.hpp)
//   reproduce lenet5-spectra --quick --out /tmp/b    the same pipeline on slices, in seconds
#include <filesystem>

#include "examples/common/cli.hpp"
#include "examples/common/output_paths.hpp"
#include "examples/reproduce/cnc_escape.hpp"
#include "examples/reproduce/lenet5_spectra.hpp"
#include "examples/reproduce/optimizers_mnist.hpp"
#include "examples/reproduce/perturbed_gd.hpp"

using namespace saddle;
using namespace saddle::examples;

int main(int argc, char** argv) {
  CLI::App app{"Reproduce a study of the research on the original MNIST: CSVs, figures and REPORT.md in --out."};
  std::string study, out, data_dir;
  reproduce::Scale scale;
  std::size_t seeds = 0;
  app.add_option("study", study,
                 "optimizers-mnist (Study A: softmax regression, MLP and CNN optimisers) or lenet5-spectra (Study B: "
                 "LeNet-5, per-class accuracy, flatness, spectral gaps) or cnc-escape (Study C: CNC against dimension, "
                 "escaping a saddle of a network, the half-space problem) or perturbed-gd (Study D: GD against perturbed GD across depth and width)")
      ->required()
      ->check(CLI::IsMember({"optimizers-mnist", "lenet5-spectra", "cnc-escape", "perturbed-gd"}));
  app.add_option("--out", out, "the directory to write into (created if missing; its parent must exist)")
      ->required()
      ->check(path());
  app.add_flag("--quick", scale.quick, "the same pipeline on slices of MNIST, for a test (seconds, not the protocol)");
  app.add_option("--seeds", seeds, "runs per configuration, seeds 0 … N−1 (default: 3, quick: 2)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100}));
  app.add_option("--data", data_dir, "a directory holding the original MNIST's four IDX files (default: where "
                                     "scripts/fetch-data.sh put them)")
      ->check(path());

  return run_program("reproduce", app, argc, argv, [&]() {
    scale.seeds = seeds ? seeds : scale.quick ? 2 : 3;
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec)) throw Error("--out " + out + ": is not a directory");
    if (!fs::exists(out, ec)) {
      const fs::path parent = fs::path(out).parent_path().empty() ? fs::path(".") : fs::path(out).parent_path();
      if (!fs::is_directory(parent, ec)) throw Error("--out " + out + ": directory " + parent.string() + " does not exist");
      if (!fs::create_directory(out, ec) && ec) throw Error("--out " + out + ": cannot create it: " + ec.message());
    }
    OutputPaths().add("--out", out + "/REPORT.md").check();
    require_gnuplot();
    const std::string dir = data_dir.empty() ? data::resolve_dataset_dir("mnist") : data_dir;
    std::printf("%s%s, %zu seed%s, into %s\n", study.c_str(), scale.quick ? " (quick)" : "", scale.seeds,
                scale.seeds == 1 ? "" : "s", out.c_str());
    std::printf("  %s\n", run_context().c_str());
    if (study == "optimizers-mnist") return reproduce::run_optimizers_mnist(dir, out, scale);
    if (study == "cnc-escape") return reproduce::run_cnc_escape(dir, out, scale);
    if (study == "perturbed-gd") return reproduce::run_perturbed_gd(dir, out, scale);
    return reproduce::run_lenet5_spectra(dir, out, scale);
  });
}
