// examples/reproduce/optimizers_mnist.hpp — Study A: an optimisation study of MNIST (50,000
// training / 10,000 test images) from softmax regression to a CNN.
//
// Protocol (full): softmax regression with mini-batch SGD (batch 200), the same with L2 weight
// decay λ = 0.001 (g ← g + λθ), single-sample SGD at a constant step and with the Robbins–Monro
// step η_t = η₀/(1 + t/τ), τ = one epoch of steps (Robbins & Monro 1951), and full-batch gradient
// descent, 25 epochs each (single-sample: 3); the MLP 784-128-64-10 (ReLU, batch 200) with SGD,
// momentum, Nesterov, Adam, Nadam, AMSGrad, NAMSGrad and the hypergradient methods SGD-HD and
// Adam-HD, 25 epochs; the CNN (2 × [conv 3×3×8, 2×2 max-pool] + dense) with Adam, 3 epochs.
// Rates by the rule of protocol.hpp; the hypergradient methods start from their base method's rate
// and take their β (the learning rate of the learning rate, Baydin et al. 2018) by the same rule.
#pragma once

#include "examples/common/plot.hpp"
#include "examples/reproduce/protocol.hpp"
#include "examples/reproduce/report.hpp"

namespace saddle::examples::reproduce {

struct OptimizersMnist {
  std::size_t train = 50000, validation = 10000, test = 10000;
  std::size_t softmax_epochs = 25, single_sample_epochs = 3, mlp_epochs = 25, cnn_epochs = 3;
  std::size_t probe = 1000, step_rows = 300;
  static OptimizersMnist quick() { return {1000, 500, 1000, 3, 1, 3, 1, 200, 60}; }
};

inline int run_optimizers_mnist(const std::string& data_dir, const std::string& out, const Scale& scale) {
  const auto started = std::chrono::steady_clock::now();
  const OptimizersMnist p = scale.quick ? OptimizersMnist::quick() : OptimizersMnist{};
  const Splits s = load_splits(data_dir, p.train, p.validation, p.test);
  const data::Dataset<T> probe = s.train.slice(0, p.probe);
  Logs logs(out, "optimizers-mnist");
  const std::vector<double> grid = rate_grid(scale.quick);

  // The configurations, their rates chosen first.
  std::printf("learning rates (lowest validation loss after a short run, seed 0):\n");
  RunSpec softmax = spec("softmax", "sgd b200", "sgd", 200, p.softmax_epochs);
  tune_rate(softmax, s, grid, logs);
  RunSpec softmax_l2 = softmax;
  softmax_l2.series = "sgd b200 L2";
  softmax_l2.config.hyper.l2 = 1e-3;
  RunSpec single = spec("softmax", "sgd b1 constant", "sgd", 1, p.single_sample_epochs);
  tune_rate(single, s, grid, logs);
  RunSpec robbins_monro = single;
  robbins_monro.series = "sgd b1 Robbins-Monro";
  robbins_monro.config.schedule.name = "robbins-monro";
  robbins_monro.config.schedule.tau = double(p.train);  // η halves after one epoch of single-sample steps
  RunSpec full_batch = spec("softmax", "gd full batch", "sgd", 0, p.softmax_epochs);
  tune_rate(full_batch, s, grid, logs);

  const std::vector<std::string> mlp_methods = {"sgd", "momentum", "nesterov", "adam", "nadam", "amsgrad", "namsgrad"};
  std::vector<RunSpec> mlp;
  for (const auto& m : mlp_methods) {
    mlp.push_back(spec("mlp", m, m, 200, p.mlp_epochs));
    tune_rate(mlp.back(), s, grid, logs);
  }
  for (const auto& [hd, base, betas] :
       {std::tuple<std::string, std::size_t, std::vector<double>>{"sgd-hd", 0, {1e-4, 1e-3, 1e-2, 1e-1}},
        {"adam-hd", 3, {1e-7, 1e-6, 1e-5, 1e-4}}}) {
    RunSpec r = spec("mlp", hd, hd, 200, p.mlp_epochs);
    r.config.hyper.lr = mlp[base].config.hyper.lr;  // α₀: the base method's rate
    tune_hyperparameter(r, "hypergrad_lr", s, scale.quick ? std::vector<double>{betas[1], betas[2]} : betas, logs);
    mlp.push_back(r);
  }
  RunSpec cnn = spec("cnn", "adam", "adam", 200, p.cnn_epochs);
  tune_rate(cnn, s, grid, logs);

  // Every configuration over every seed.
  std::map<std::string, Runs> runs;  // by model/series
  std::vector<RunSpec> all = {softmax, softmax_l2, single, robbins_monro, full_batch};
  all.insert(all.end(), mlp.begin(), mlp.end());
  all.push_back(cnn);
  for (std::uint64_t seed = 0; seed < scale.seeds; ++seed)
    for (const RunSpec& r : all) {
      RunResult result = train_run(r, seed, s, probe, &logs, p.step_rows);
      result.trainer.reset();  // nothing is measured after training here
      if (result.diverged) std::printf("  %s %s seed %zu: %s\n", r.model_label.c_str(), r.series.c_str(),
                                       std::size_t(seed), result.why.c_str());
      runs[r.model_label + "/" + r.series].push_back(std::move(result));
    }
  logs.finish();
  auto of = [&](const RunSpec& r) -> const Runs& { return runs.at(r.model_label + "/" + r.series); };

  // Figures: means over seeds per epoch; the single-sample noise from seed 0.
  const std::string mnist = "MNIST (" + std::to_string(p.train) + " train / " + std::to_string(p.test) + " test)";
  write_epoch_means(out + "/softmax_epochs.csv", {&of(softmax), &of(softmax_l2), &of(single), &of(robbins_monro),
                                                  &of(full_batch)});
  std::vector<const Runs*> mlp_runs;
  for (const auto& r : mlp) mlp_runs.push_back(&of(r));
  write_epoch_means(out + "/mlp_epochs.csv", mlp_runs);
  write_epoch_means(out + "/cnn_epochs.csv", {&of(cnn)});
  write_step_curves(out + "/single_sample_steps.csv", {&of(single), &of(robbins_monro)}, 0);
  write_step_curves(out + "/hypergradient_steps.csv", {&of(mlp[7]), &of(mlp[8])}, 0);
  auto plot = [&](const std::string& csv, const std::string& png, const std::string& title, const std::string& x,
                  const std::string& xlabel, const std::string& y, const std::string& ylabel, bool log_y,
                  bool points = true) {
    plot_csv(PlotSpec(out + "/" + csv, out + "/" + png, title + " — " + mnist, xlabel, ylabel, x, {y})
                 .by("series")
                 .logarithmic_y(log_y)
                 .whole_x(true)
                 .lines_only(!points));
  };
  plot("softmax_epochs.csv", "softmax_test_error.png", "softmax regression: test error", "epoch", "epoch",
       "test_error_pct", "test error (%, log scale)", true);
  plot("softmax_epochs.csv", "softmax_weight_norm.png", "softmax regression: weight norm", "epoch", "epoch",
       "weight_norm", "‖θ‖₂", false);
  plot("single_sample_steps.csv", "single_sample_noise.png", "single-sample SGD, seed 0: loss on 1,000 fixed images",
       "step", "step", "probe_loss", "mean cross-entropy (log scale)", true, false);
  plot("mlp_epochs.csv", "mlp_test_error.png", "MLP 784-128-64-10: test error", "epoch", "epoch", "test_error_pct",
       "test error (%, log scale)", true);
  plot("mlp_epochs.csv", "mlp_train_error.png", "MLP 784-128-64-10: training error", "epoch", "epoch",
       "train_error_pct", "training error (%, log scale)", true);
  plot("hypergradient_steps.csv", "hypergradient_lr.png", "hypergradient descent, seed 0: the learned rate", "step",
       "step", "lr", "learning rate α_t (log scale)", true, false);
  plot("cnn_epochs.csv", "cnn_test_error.png", "CNN: test error", "epoch", "epoch", "test_error_pct",
       "test error (%, log scale)", true);

  // The claims.
  Report report("Study A: optimisers on MNIST, softmax regression to a CNN");
  auto acc = [](const Runs& r, bool test) {
    return over_seeds(r, [test](const RunResult& x) { return test ? x.last().test.accuracy : x.last().train.accuracy; });
  };
  const Stats soft = acc(of(softmax), true), soft_l2 = acc(of(softmax_l2), true);
  const Stats norm = over_seeds(of(softmax), [](const RunResult& x) { return x.last().weight_norm; });
  const Stats norm_l2 = over_seeds(of(softmax_l2), [](const RunResult& x) { return x.last().weight_norm; });
  report.claim({"Softmax regression with mini-batch GD (batch 200) reaches about 91% test accuracy",
                "test accuracy " + pm(soft, 2, 100) + "% after " + std::to_string(p.softmax_epochs) + " epochs",
                soft.mean >= 0.90 && soft.mean <= 0.93 ? Verdict::reproduced
                : soft.mean >= 0.88                    ? Verdict::partly
                                                       : Verdict::not_reproduced,
                "reproduced when the mean test accuracy is in [90%, 93%], partly in [88%, 90%) or above 93%",
                "softmax_test_error.png"});
  const bool lower_norm = norm_l2.mean < norm.mean, lower_acc = soft_l2.mean < soft.mean;
  report.claim({"L2 regularisation (λ = 0.001) lowers the weight norm and slightly lowers accuracy",
                "‖θ‖ " + pm(norm, 3) + " → " + pm(norm_l2, 3) + "; test accuracy " + pm(soft, 2, 100) + "% → " +
                    pm(soft_l2, 2, 100) + "%",
                lower_norm && lower_acc && soft.mean - soft_l2.mean < 0.01 ? Verdict::reproduced
                : lower_norm                                               ? Verdict::partly
                                                                           : Verdict::not_reproduced,
                "reproduced when the mean weight norm falls and the mean test accuracy falls, by less than one "
                "point; partly when only the norm falls",
                "softmax_weight_norm.png"});
  // Noise: the spread of the loss over a fixed probe along the last third of the run.
  auto late_spread = [](const RunResult& x) {
    std::vector<double> tail;
    for (std::size_t i = x.steps.size() * 2 / 3; i < x.steps.size(); ++i) tail.push_back(x.steps[i].probe_loss);
    return stats(tail).sd;
  };
  const Stats noise = over_seeds(of(single), late_spread), noise_rm = over_seeds(of(robbins_monro), late_spread);
  report.claim({"Single-sample SGD is noisy, and a Robbins–Monro decreasing step reduces the variance",
                "sd of the probe loss over the last third of the steps: constant " + pm(noise, 4) +
                    ", Robbins–Monro " + pm(noise_rm, 4),
                noise_rm.mean < 0.5 * noise.mean ? Verdict::reproduced
                : noise_rm.mean < noise.mean     ? Verdict::partly
                                                 : Verdict::not_reproduced,
                "reproduced when the Robbins–Monro spread is under half the constant step's, partly when it is "
                "lower but not by half (probe: the mean loss over 1,000 fixed training images)",
                "single_sample_noise.png"});
  const Stats full = acc(of(full_batch), true);
  report.claim({"Full-batch GD is far less efficient per epoch than mini-batch",
                "test accuracy after " + std::to_string(p.softmax_epochs) + " epochs: full batch " + pm(full, 2, 100) +
                    "%, batch 200 " + pm(soft, 2, 100) + "%",
                soft.mean - full.mean >= 0.02   ? Verdict::reproduced
                : soft.mean - full.mean > 0.003 ? Verdict::partly
                                                : Verdict::not_reproduced,
                "reproduced when mini-batch leads by at least 2 points after the same number of epochs, partly "
                "by more than 0.3",
                "softmax_test_error.png"});
  Stats worst_adaptive{1, 0, 0}, best_classical{0, 0, 0};
  bool all_perfect = true, all_98 = true;
  std::string adaptive_text, classical_text;
  for (std::size_t i = 0; i < 7; ++i) {
    const Stats te = acc(of(mlp[i]), true), tr = acc(of(mlp[i]), false);
    const std::string item = mlp_methods[i] + " " + pm(tr, 2, 100) + "% / " + pm(te, 2, 100) + "%";
    if (i >= 3) {
      adaptive_text += (adaptive_text.empty() ? "" : "; ") + item;
      all_perfect = all_perfect && tr.mean >= 0.9995;
      all_98 = all_98 && te.mean > 0.98;
      if (te.mean < worst_adaptive.mean) worst_adaptive = te;
    } else {
      classical_text += (classical_text.empty() ? "" : "; ") + item;
      if (te.mean > best_classical.mean) best_classical = te;
    }
  }
  report.claim({"MLP 784-128-64-10: Adam, Nadam, AMSGrad and NAMSGrad reach 100% train and just over 98% test "
                "accuracy within 25 epochs",
                "train / test: " + adaptive_text,
                all_perfect && all_98 ? Verdict::reproduced : all_98 || all_perfect ? Verdict::partly
                                                                                    : Verdict::not_reproduced,
                "reproduced when each of the four reaches a mean training accuracy ≥ 99.95% and a mean test "
                "accuracy > 98%; partly when one of the two holds for all four",
                "mlp_train_error.png"});
  const double lead = worst_adaptive.mean - best_classical.mean;
  report.claim({"… far ahead of SGD, momentum and Nesterov",
                "train / test: " + classical_text + "; the worst adaptive method leads the best classical one by " +
                    fixed(100 * lead, 2) + " points of test accuracy",
                lead >= 0.01 ? Verdict::reproduced : lead > 0 ? Verdict::partly : Verdict::not_reproduced,
                "reproduced when every adaptive method's mean test accuracy exceeds every classical method's by at "
                "least one point, partly when by less",
                "mlp_test_error.png"});
  const Stats sgd = acc(of(mlp[0]), true), sgd_hd = acc(of(mlp[7]), true);
  const Stats adam = acc(of(mlp[3]), true), adam_hd = acc(of(mlp[8]), true);
  // The edge is the hypergradient's only where the learned rate moved: the largest relative
  // change |α_t − α₀|/α₀ over the logged steps of every seed.
  auto moved = [](const Runs& runs) {
    double most = 0;
    for (const RunResult& r : runs)
      for (const StepRow& st : r.steps)
        most = std::max(most, std::abs(st.lr - *r.spec.config.hyper.lr) / *r.spec.config.hyper.lr);
    return most;
  };
  const double sgd_moved = moved(of(mlp[7])), adam_moved = moved(of(mlp[8]));
  const int edges = (sgd_hd.mean > sgd.mean && sgd_moved >= 0.1) + (adam_hd.mean > adam.mean && adam_moved >= 0.1);
  report.claim({"Hypergradient descent gives a small edge",
                "test accuracy: SGD " + pm(sgd, 2, 100) + "% → SGD-HD " + pm(sgd_hd, 2, 100) + "% (β " +
                    CsvWriter::num(mlp[7].config.hyper.given.at("hypergrad_lr")) + ", α moved by at most " +
                    fixed(100 * sgd_moved, 1) + "%); Adam " + pm(adam, 2, 100) + "% → Adam-HD " + pm(adam_hd, 2, 100) +
                    "% (β " + CsvWriter::num(mlp[8].config.hyper.given.at("hypergrad_lr")) +
                    ", α moved by at most " + fixed(100 * adam_moved, 1) + "%)",
                edges == 2 ? Verdict::reproduced : edges == 1 ? Verdict::partly : Verdict::not_reproduced,
                "an edge counts when the hypergradient method beats its base method's mean test accuracy from the "
                "same initial rate and its learned rate α moved by at least 10% of α₀ at some logged step (else the "
                "two runs differ by noise, not by the hypergradient); reproduced when both have an edge, partly when "
                "one does",
                "hypergradient_lr.png"});
  const Stats cnn_acc = acc(of(cnn), true);
  report.claim({"The CNN (2 × [conv 3×3×8, 2×2 max-pool] + dense) reaches high accuracy in a few epochs",
                "test accuracy " + pm(cnn_acc, 2, 100) + "% after " + std::to_string(p.cnn_epochs) + " epochs of Adam",
                cnn_acc.mean >= 0.98 ? Verdict::reproduced : cnn_acc.mean >= 0.95 ? Verdict::partly
                                                                                   : Verdict::not_reproduced,
                "reproduced when the mean test accuracy is ≥ 98%, partly ≥ 95%", "cnn_test_error.png"});

  // What ran.
  const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60;
  report.paragraph(std::string(scale.quick ? "**Quick mode**: the pipeline on slices, not the study's protocol. "
                                           : "") +
                   "Data: " + mnist + " from " + s.dir + ", the next " + std::to_string(p.validation) +
                   " training images for choosing rates. Seeds: " + std::to_string(scale.seeds) +
                   " (initialisation and batch order); figures show means over seeds. Run time: " + fixed(minutes, 1) +
                   " minutes with " + std::to_string(worker_count()) +
                   (worker_count() == 1 ? " thread." : " threads."));
  std::vector<std::vector<std::string>> rates;
  for (const RunSpec& r : all) {
    std::string extra = r.config.hyper.l2 > 0 ? "L2 " + CsvWriter::num(r.config.hyper.l2) : "";
    if (r.config.hyper.given.count("hypergrad_lr"))
      extra = "β " + CsvWriter::num(r.config.hyper.given.at("hypergrad_lr"));
    if (r.config.schedule.name != "constant") extra = "η₀/(1 + t/" + CsvWriter::num(r.config.schedule.tau) + ")";
    rates.push_back({r.model_label, r.series, r.config.batch == 0 ? "full" : std::to_string(r.config.batch),
                     std::to_string(r.config.epochs), CsvWriter::num(*r.config.hyper.lr), extra});
  }
  report.table("Configurations (rates by the rule of examples/reproduce/protocol.hpp: tuning.csv)",
               {"model", "method", "batch", "epochs", "learning rate", "other"}, rates);
  report.figure("softmax_test_error.png", "Softmax regression: test error per epoch");
  report.figure("softmax_weight_norm.png", "Softmax regression: weight norm with and without L2");
  report.figure("single_sample_noise.png", "Single-sample SGD: constant step against Robbins–Monro");
  report.figure("mlp_test_error.png", "MLP: test error per epoch");
  report.figure("mlp_train_error.png", "MLP: training error per epoch");
  report.figure("hypergradient_lr.png", "Hypergradient descent: the learned rate");
  report.figure("cnn_test_error.png", "CNN: test error per epoch");
  report.write(out + "/REPORT.md");
  std::printf("wrote %s/REPORT.md (%.1f minutes)\n", out.c_str(), minutes);
  return 0;
}

}  // namespace saddle::examples::reproduce
