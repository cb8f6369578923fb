// Shape and indexing ops: linear maps, whose VJP is the adjoint map (slice ↔ embed, gather ↔
// scatter-add), applied to both halves of the dual.
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"

namespace saddle {

template <class T>
Var<T> reshape(const Var<T>& a, const Shape& shape) {
  if (shape_size(shape) != a.size())
    throw Error("reshape: cannot reshape " + shape_str(a.shape()) + " (" + std::to_string(a.size()) +
                " elements) to " + shape_str(shape));
  return define_op<T>(
      "reshape", [shape](const auto& a) { return reshape(a, shape); },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = reshape(g, a.shape());
      },
      a);
}

template <class T>
Var<T> rows(const Var<T>& a, std::size_t begin, std::size_t end) {
  if (a.dim() == 0 || begin >= end || end > a.shape()[0])
    throw Error("rows: range [" + std::to_string(begin) + ", " + std::to_string(end) +
                ") is empty or outside a tensor of shape " + shape_str(a.shape()));
  return define_op<T>(
      "rows",
      [=](const auto& a) {
        return linear(a, [&](const Tensor<T>& x) { return kernels::slice_axis(x, 0, begin, end); });
      },
      [=](const auto& g, const auto&, const auto& a, auto& ga) {
        const std::size_t n = a.v.shape()[0];
        if (ga) ga = linear(g, [&](const Tensor<T>& x) { return kernels::embed_axis(x, 0, begin, n); });
      },
      a);
}

template <class T>
Var<T> gather(const Var<T>& a, const std::vector<std::size_t>& index) {
  if (a.dim() == 0) throw Error("gather: needs at least 1-D, got a scalar");
  for (std::size_t i = 0; i < index.size(); ++i)
    if (index[i] >= a.shape()[0])
      throw Error("gather: index[" + std::to_string(i) + "] = " + std::to_string(index[i]) +
                  " is out of range for a tensor of shape " + shape_str(a.shape()));
  if (index.empty()) throw Error("gather: empty index");
  return define_op<T>(
      "gather",
      [index](const auto& a) {
        return linear(a, [&](const Tensor<T>& x) { return kernels::gather_rows(x, index); });
      },
      [index](const auto& g, const auto&, const auto& a, auto& ga) {
        const std::size_t n = a.v.shape()[0];
        if (ga) ga = linear(g, [&](const Tensor<T>& x) { return kernels::scatter_rows(x, index, n); });
      },
      a);
}

template <class T>
Var<T> pick(const Var<T>& a, std::span<const Label> labels) {
  if (a.dim() != 2 || labels.size() != a.shape()[0])
    throw Error("pick: needs a 2-D tensor and one label per row, got shape " + shape_str(a.shape()) + " and " +
                std::to_string(labels.size()) + " labels");
  std::vector<std::size_t> index(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || std::size_t(labels[i]) >= a.shape()[1])
      throw Error("pick: label[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                  " is out of range for a tensor of shape " + shape_str(a.shape()));
    index[i] = std::size_t(labels[i]);
  }
  return define_op<T>(
      "pick",
      [&index](const auto& a) {
        return linear(a, [&](const Tensor<T>& x) { return kernels::take_along(x, 1, index); });
      },
      [index](const auto& g, const auto&, const auto& a, auto& ga) {
        const Shape s = a.shape();
        if (ga) ga = linear(g, [&](const Tensor<T>& x) { return kernels::put_along(x, 1, index, s); });
      },
      a);
}

template <class T>
Var<T> concat(const std::vector<Var<T>>& parts, std::size_t axis) {
  if (parts.empty()) throw Error("concat: no tensors given");
  const Shape first = parts[0].shape();
  if (axis >= first.size())
    throw Error("concat: axis " + std::to_string(axis) + " out of range for shape " + shape_str(first));
  std::vector<std::size_t> offsets{0};
  for (const auto& p : parts) {
    Shape s = p.shape();
    bool ok = s.size() == first.size();
    for (std::size_t i = 0; ok && i < s.size(); ++i) ok = i == axis || s[i] == first[i];
    if (!ok)
      throw Error("concat: shapes " + shape_str(first) + " and " + shape_str(s) +
                  " differ outside axis " + std::to_string(axis));
    offsets.push_back(offsets.back() + s[axis]);
  }
  return define_list_op<T>(
      "concat",
      [=](const std::vector<const Dual<T>*>& in) {
        Shape s = first;
        s[axis] = offsets.back();
        const bool tangent = std::any_of(in.begin(), in.end(), [](auto* d) { return bool(d->t); });
        Dual<T> out{empty_tensor<T>(s)};
        if (tangent) out.t = zeros_tensor<T>(s);
        const auto split = kernels::split_at(s, axis);
        for (std::size_t k = 0; k < in.size(); ++k) {
          const std::size_t len = (offsets[k + 1] - offsets[k]) * split.inner;
          for (std::size_t o = 0; o < split.outer; ++o) {
            const std::size_t dst = (o * split.n + offsets[k]) * split.inner;
            std::copy_n(in[k]->v.data() + o * len, len, out.v.data() + dst);
            if (in[k]->t) std::copy_n(in[k]->t->data() + o * len, len, out.t->data() + dst);
          }
        }
        return out;
      },
      [=](const Dual<T>& g, const Dual<T>&, const std::vector<const Dual<T>*>&, auto& slots) {
        for (std::size_t k = 0; k < slots.size(); ++k)
          if (slots[k])
            slots[k] = linear(g, [&](const Tensor<T>& x) {
              return kernels::slice_axis(x, axis, offsets[k], offsets[k + 1]);
            });
      },
      parts);
}

#define X(T)                                                                   \
  template Var<T> reshape(const Var<T>&, const Shape&);                        \
  template Var<T> rows(const Var<T>&, std::size_t, std::size_t);               \
  template Var<T> gather(const Var<T>&, const std::vector<std::size_t>&);      \
  template Var<T> pick(const Var<T>&, std::span<const Label>);                 \
  template Var<T> concat(const std::vector<Var<T>>&, std::size_t);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
