// train — trains one of the research's models on MNIST or Fashion-MNIST with any optimizer of
// saddle, printing and recording per-epoch loss, accuracy, weight and gradient norms.
//
//   train --model mlp --optimizer adam --lr 1e-3 --batch 200 --epochs 10 --dataset mnist --csv run.csv
//
// Every optimizer takes its step through an Objective over the current mini-batch, so the methods
// that need more than one gradient (Nesterov's look-ahead, CNC-PGD's single sample, NCD's
// Hessian-vector products) train exactly like the others. --batch 0 is full-batch gradient
// descent, --batch 1 single-sample SGD.
#include <cmath>
#include <cstdio>
#include <limits>

#include "analysis/module_loss.hpp"
#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/plot.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/minibatch_objective.hpp"
#include "examples/train/optimizers.hpp"
#include "nn/data/dataset.hpp"
#include "nn/losses.hpp"
#include "nn/models/models.hpp"
#include "nn/weights.hpp"

using namespace saddle;
using namespace saddle::examples;
using T = float;

namespace {

struct Evaluation {
  double loss = 0, accuracy = 0;
};

// Mean loss and accuracy over a dataset, forward only, in chunks.
Evaluation evaluate(nn::Module<T>& model, const data::Dataset<T>& set) {
  no_grad off;
  model.eval();
  Evaluation e;
  constexpr std::size_t chunk = 1000;
  for (std::size_t b = 0; b < set.size(); b += chunk) {
    const data::Dataset<T> part = set.slice(b, std::min(set.size(), b + chunk));
    const Var<T> logits = model.forward(Var<T>(part.images));
    const std::span<const int> labels(part.labels);
    e.loss += nn::softmax_cross_entropy(logits, labels).item() * double(part.size());
    e.accuracy += nn::accuracy(logits.value(), labels) * double(part.size());
  }
  model.train();
  e.loss /= double(set.size());
  e.accuracy /= double(set.size());
  return e;
}

double list_norm(const TensorList<T>& v) {
  double s = 0;
  for (const auto& t : v)
    for (T x : t) s += double(x) * double(x);
  return std::sqrt(s);
}

Schedule make_schedule(const std::string& name, double lr0, double tau, double gamma, std::size_t every,
                       double lr_min, std::size_t total_steps) {
  if (name == "constant") return Schedule::constant(lr0);
  if (name == "robbins-monro") return Schedule::robbins_monro(lr0, tau);
  if (name == "inverse-time") return Schedule::inverse_time(lr0);
  if (name == "step") return Schedule::step_decay(lr0, gamma, every);
  if (name == "cosine") return Schedule::cosine(lr0, lr_min, total_steps);
  throw Error("unknown schedule '" + name + "'");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train a model of the research (softmax regression, MLP, CNN, LeNet-5) with any optimizer of saddle."};
  std::string model_name = "mlp", optimizer_name = "adam", dataset = "mnist", data_dir, csv_path, save_path, plot_path;
  std::string schedule_name = "constant";
  std::size_t batch = 200, epochs = 10, step_every = 1000, train_limit = 0;
  double tau = 1000, gamma = 0.5, lr_min = 0;
  Hyperparameters h;
  app.add_option("--model", model_name, "softmax, mlp, cnn or lenet5")
      ->check(CLI::IsMember(nn::model_names()))->capture_default_str();
  app.add_option("--optimizer", optimizer_name, "the method")->check(CLI::IsMember(optimizer_names()))->capture_default_str();
  app.add_option("--lr", h.lr, "learning rate η₀ (default: the method's own)");
  app.add_option("--batch", batch, "mini-batch size; 0 = full batch, 1 = single-sample SGD")
      ->check(count())->capture_default_str();
  app.add_option("--epochs", epochs, "passes over the training set")->check(CLI::Range(1, 100000))->capture_default_str();
  auto* ds = app.add_option("--dataset", dataset, "mnist (the 10,000 real digits) or fashion (Fashion-MNIST)")
                 ->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
  app.add_option("--data", data_dir, "a directory holding the four MNIST-format IDX files")->excludes(ds);
  app.add_option("--train-limit", train_limit, "use only the first N training images (0 = all)")
      ->check(count())->capture_default_str();
  app.add_option("--seed", h.seed, "seed of the initialisation, the batches and the methods' noise")
      ->check(count())->capture_default_str();
  app.add_option("--csv", csv_path, "write one row per epoch to this CSV file");
  app.add_option("--plot", plot_path, "render loss and accuracy curves to this PNG (gnuplot)");
  app.add_option("--save", save_path, "save the trained weights to this .npz file");
  app.add_option("--schedule", schedule_name, "learning-rate schedule")
      ->check(CLI::IsMember({"constant", "robbins-monro", "inverse-time", "step", "cosine"}))->capture_default_str();
  app.add_option("--tau", tau, "Robbins–Monro: η_t = η₀/(1 + t/τ)")->capture_default_str();
  app.add_option("--step-gamma", gamma, "step decay: factor γ")->capture_default_str();
  app.add_option("--step-every", step_every, "step decay: every k steps")->check(count())->capture_default_str();
  app.add_option("--lr-min", lr_min, "cosine: final learning rate")->capture_default_str();
  app.add_option("--l2", h.l2, "L2 weight decay λ (g ← g + λθ)")->capture_default_str();
  app.add_option("--momentum", h.momentum, "momentum μ (momentum, nesterov)");
  app.add_option("--beta1", h.beta1, "β₁ (Adam family)");
  app.add_option("--beta2", h.beta2, "β₂ (Adam family)");
  app.add_option("--eps", h.eps, "ε (Adam family, Adagrad, RMSProp)");
  app.add_option("--alpha", h.alpha, "RMSProp's smoothing α");
  app.add_option("--hypergrad-lr", h.hypergrad_lr, "β of the hypergradient methods (sgd-hd, adam-hd)");
  app.add_option("--g-thres", h.g_thres, "gradient threshold of pgd, iso-pgd, cnc-pgd, ncd");
  app.add_option("--t-thres", h.t_thres, "steps between perturbations (pgd, iso-pgd, cnc-pgd, cnc-sgd)")
      ->check(count());
  app.add_option("--radius", h.radius, "perturbation radius (pgd, iso-pgd)");
  app.add_option("--r", h.r, "the larger step size of cnc-pgd and cnc-sgd");
  app.add_option("--rho", h.rho, "ncd: Lipschitz constant of the Hessian (step |λ_min|/ρ)");
  app.add_option("--eps-h", h.eps_h, "ncd: curvature threshold ε_H");

  return run_program("train", app, argc, argv, [&]() {
    const std::string dir = data_dir.empty() ? data::resolve_dataset_dir(dataset) : data_dir;
    data::Dataset<T> train = data::load_idx_dataset<T>(dir, "train");
    const data::Dataset<T> test = data::load_idx_dataset<T>(dir, "test");
    if (train_limit > 0 && train_limit < train.size()) train = train.slice(0, train_limit);

    auto model = nn::make_model<T>(model_name, h.seed);
    auto optimizer = make_optimizer<T>(optimizer_name, model->parameters(), h);
    const std::size_t batch_size = batch == 0 ? train.size() : batch;
    data::BatchIterator<T> batches(train, batch_size, h.seed);
    const std::size_t per_epoch = batches.batches_per_epoch();
    const Schedule schedule = make_schedule(schedule_name, optimizer->lr(), tau, gamma, step_every, lr_min,
                                            per_epoch * epochs);
    MiniBatchObjective<T> objective(cross_entropy_loss(*model), train);
    const SampleObjective<T> full(cross_entropy_loss(*model), train, sample_range(0, train.size(), 1000));

    std::printf("train: %s (%zu parameters) with %s, %s schedule, batch %zu, %zu epochs on %s (%zu train, %zu test)\n",
                model_name.c_str(), model->num_parameters(), optimizer->name(), schedule_name.c_str(), batch_size,
                epochs, dir.c_str(), train.size(), test.size());
    CsvWriter csv;
    if (!csv_path.empty())
      csv = CsvWriter(csv_path, {"model", "optimizer", "epoch", "step", "lr", "train_loss", "train_acc", "test_loss",
                                 "test_acc", "weight_norm", "grad_norm", "seconds"});
    double seconds = 0;
    // One row per epoch; epoch 0 is the initialisation, the point every curve starts from.
    auto report = [&](std::size_t epoch) {
      const TensorList<T> theta = nn::parameter_values(*model);
      const double grad_norm = list_norm(full.full_gradient(theta));
      const Evaluation tr = evaluate(*model, train), te = evaluate(*model, test);
      const double weight_norm = list_norm(theta);
      std::printf("epoch %3zu  train loss %.4f acc %6.2f%%  test loss %.4f acc %6.2f%%  |θ| %.3f  |∇f| %.3e  lr %.3g  %.1fs\n",
                  epoch, tr.loss, 100 * tr.accuracy, te.loss, 100 * te.accuracy, weight_norm, grad_norm,
                  optimizer->lr(), seconds);
      std::fflush(stdout);
      using N = CsvWriter;
      csv.row({model_name, optimizer_name, std::to_string(epoch), std::to_string(optimizer->steps()),
               N::num(optimizer->lr()), N::num(tr.loss), N::num(tr.accuracy), N::num(te.loss), N::num(te.accuracy),
               N::num(weight_norm), N::num(grad_norm), N::num(seconds)});
    };
    report(0);
    data::Batch<T> b;
    for (std::size_t epoch = 1; epoch <= epochs; ++epoch) {
      Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs), per_epoch, "batches");
      for (std::size_t k = 0; k < per_epoch; ++k) {
        if (!batches.next(b)) batches.next(b);  // an epoch boundary: the iterator starts the next one
        objective.set_batch(b.indices);
        apply_schedule(schedule, *optimizer);
        optimizer->step(objective);
        if (!std::isfinite(objective.last_loss()))
          throw Error("the loss diverged (" + std::to_string(objective.last_loss()) + ") at epoch " +
                      std::to_string(epoch) + ", step " + std::to_string(optimizer->steps()) + "; lower --lr (now " +
                      CsvWriter::num(optimizer->lr()) + ")");
        progress.update(k + 1, "loss " + CsvWriter::num(objective.last_loss()));
      }
      seconds += progress.seconds();
      report(epoch);
    }
    csv.finish();
    if (!save_path.empty()) {
      nn::save_weights(*model, save_path);
      std::printf("saved weights to %s\n", save_path.c_str());
    }
    if (!plot_path.empty()) {
      if (csv_path.empty()) throw Error("--plot needs --csv (the figure is drawn from the CSV)");
      plot_csv({csv_path, plot_path, model_name + " with " + optimizer_name, "epoch", "", "epoch",
                {"train_loss", "test_loss", "train_acc", "test_acc"}, "", false});
      std::printf("plotted %s\n", plot_path.c_str());
    }
    return 0;
  });
}
