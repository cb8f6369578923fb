// Every op of the engine, through the generic harness: one line per op and broadcasting case.
#include "op_harness.hpp"

using namespace saddle;
using saddle::testing::Domain;
using saddle::testing::op_case;

namespace {
const std::vector<saddle::testing::OpCase>& cases() {
  static const std::vector<saddle::testing::OpCase> all = {
      // arithmetic, with NumPy broadcasting
      op_case("add", {{3, 4}, {3, 4}}, Domain::any, [](const auto& x) { return x[0] + x[1]; }),
      op_case("add row broadcast", {{3, 4}, {4}}, Domain::any, [](const auto& x) { return x[0] + x[1]; }),
      op_case("add outer broadcast", {{3, 1}, {1, 4}}, Domain::any, [](const auto& x) { return x[0] + x[1]; }),
      op_case("add scalar tensor", {{}, {2, 3}}, Domain::any, [](const auto& x) { return x[0] + x[1]; }),
      op_case("sub", {{2, 3}, {3}}, Domain::any, [](const auto& x) { return x[0] - x[1]; }),
      op_case("sub column broadcast", {{2, 1}, {2, 3}}, Domain::any, [](const auto& x) { return x[0] - x[1]; }),
      op_case("mul", {{3, 4}, {3, 4}}, Domain::any, [](const auto& x) { return x[0] * x[1]; }),
      op_case("mul broadcast 3-D", {{2, 1, 3}, {4, 1}}, Domain::any, [](const auto& x) { return x[0] * x[1]; }),
      op_case("div", {{3, 4}, {3, 4}}, Domain::away_from_zero, [](const auto& x) { return x[0] / x[1]; }),
      op_case("div broadcast", {{3, 4}, {4}}, Domain::away_from_zero, [](const auto& x) { return x[0] / x[1]; }),
      op_case("neg", {{5}}, Domain::any, [](const auto& x) { return -x[0]; }),
      op_case("add_scalar", {{2, 3}}, Domain::any, [](const auto& x) { return x[0] + 1.5; }),
      op_case("mul_scalar", {{2, 3}}, Domain::any, [](const auto& x) { return 2.5 * x[0]; }),
      op_case("rdiv_scalar", {{2, 3}}, Domain::away_from_zero, [](const auto& x) { return 2.0 / x[0]; }),
      op_case("scalar minus", {{4}}, Domain::any, [](const auto& x) { return 1.0 - x[0]; }),
      // linear algebra and shape
      op_case("matmul", {{3, 4}, {4, 2}}, Domain::any, [](const auto& x) { return matmul(x[0], x[1]); }),
      op_case("matmul vector", {{1, 5}, {5, 3}}, Domain::any, [](const auto& x) { return matmul(x[0], x[1]); }),
      op_case("transpose", {{3, 4}}, Domain::any, [](const auto& x) { return transpose(x[0]); }),
      op_case("reshape", {{3, 4}}, Domain::any, [](const auto& x) { return reshape(x[0], {2, 6}); }),
      op_case("rows", {{5, 3}}, Domain::any, [](const auto& x) { return rows(x[0], 1, 4); }),
      op_case("gather repeated", {{4, 3}}, Domain::any,
              [](const auto& x) { return gather(x[0], {3, 0, 3, 1}); }),
      op_case("pick", {{4, 3}}, Domain::any, [](const auto& x) { return pick(x[0], std::vector<Label>{2, 0, 1, 2}); }),
      op_case("concat axis 0", {{2, 3}, {1, 3}}, Domain::any,
              [](const auto& x) { return concat(std::vector{x[0], x[1]}, 0); }),
      op_case("concat axis 1", {{2, 3}, {2, 2}, {2, 1}}, Domain::any,
              [](const auto& x) { return concat(std::vector{x[0], x[1], x[2]}, 1); }),
      // reductions
      op_case("sum", {{3, 4}}, Domain::any, [](const auto& x) { return sum(x[0]); }),
      op_case("sum axis 0", {{3, 4}}, Domain::any, [](const auto& x) { return sum(x[0], 0); }),
      op_case("sum axis 1 keepdims", {{3, 4}}, Domain::any, [](const auto& x) { return sum(x[0], 1, true); }),
      op_case("sum axis 1 of 3-D", {{2, 3, 2}}, Domain::any, [](const auto& x) { return sum(x[0], 1); }),
      op_case("mean", {{3, 4}}, Domain::any, [](const auto& x) { return mean(x[0]); }),
      op_case("mean axis 0 keepdims", {{3, 4}}, Domain::any, [](const auto& x) { return mean(x[0], 0, true); }),
      op_case("max axis 1", {{4, 5}}, Domain::any, [](const auto& x) { return max(x[0], 1); }),
      op_case("max axis 0 keepdims", {{4, 3}}, Domain::any, [](const auto& x) { return max(x[0], 0, true); }),
      // softmax family
      op_case("logsumexp axis 1", {{3, 5}}, Domain::any, [](const auto& x) { return logsumexp(x[0], 1); }),
      op_case("logsumexp axis 0 keepdims", {{3, 5}}, Domain::any,
              [](const auto& x) { return logsumexp(x[0], 0, true); }),
      op_case("log_softmax axis 1", {{3, 5}}, Domain::any, [](const auto& x) { return log_softmax(x[0], 1); }),
      op_case("log_softmax axis 0", {{4, 2}}, Domain::any, [](const auto& x) { return log_softmax(x[0], 0); }),
      op_case("softmax axis 1", {{3, 4}}, Domain::any, [](const auto& x) { return softmax(x[0], 1); }),
      op_case("softmax middle axis of 3-D", {{2, 3, 4}}, Domain::any, [](const auto& x) { return softmax(x[0], 1); }),
      // elementwise
      op_case("exp", {{3, 4}}, Domain::any, [](const auto& x) { return exp(x[0]); }),
      op_case("log", {{3, 4}}, Domain::positive, [](const auto& x) { return log(x[0]); }),
      op_case("sqrt", {{3, 4}}, Domain::positive, [](const auto& x) { return sqrt(x[0]); }),
      op_case("pow 3", {{3, 4}}, Domain::any, [](const auto& x) { return pow(x[0], 3); }),
      op_case("pow -0.5", {{3, 4}}, Domain::positive, [](const auto& x) { return pow(x[0], -0.5); }),
      op_case("square", {{3, 4}}, Domain::any, [](const auto& x) { return square(x[0]); }),
      op_case("abs", {{3, 4}}, Domain::away_from_zero, [](const auto& x) { return abs(x[0]); }),
      op_case("tanh", {{3, 4}}, Domain::any, [](const auto& x) { return tanh(x[0]); }),
      op_case("sigmoid", {{3, 4}}, Domain::any, [](const auto& x) { return sigmoid(x[0]); }),
      op_case("relu", {{3, 4}}, Domain::away_from_zero, [](const auto& x) { return relu(x[0]); }),
      op_case("softplus", {{3, 4}}, Domain::any, [](const auto& x) { return softplus(x[0]); }),
      op_case("clamp", {{3, 4}}, Domain::away_from_zero, [](const auto& x) { return clamp(x[0], -0.9, 0.9); }),
      op_case("where", {{3, 4}, {4}}, Domain::any,
              [](const auto& x) {
                using T = typename std::decay_t<decltype(x[0])>::value_type;
                Tensor<T> cond = {{1, 0, 1, 0}, {0, 0, 1, 1}, {1, 1, 1, 0}};
                return where(Var<T>(cond), x[0], x[1]);
              }),
      // compositions: a small network and the softmax cross-entropy
      op_case("two-layer tanh network", {{4, 3}, {3, 5}, {5}, {5, 2}}, Domain::any,
              [](const auto& x) { return matmul(tanh(matmul(x[0], x[1]) + x[2]), x[3]); }),
      op_case("cross-entropy", {{4, 3}}, Domain::any,
              [](const auto& x) { return -mean(pick(log_softmax(x[0], 1), std::vector<Label>{0, 2, 1, 1})); }),
  };
  return all;
}
}  // namespace

TEST_CASE("every op: gradient, Hessian-vector product, symmetry and tangent agree with finite differences") {
  for (const auto& c : cases()) {
    SUBCASE(c.name.c_str()) { saddle::testing::check_op(c); }
  }
}
