// fixed-array.h: a fixed-size array of plain structs left uninitialised, so that its pages become
// resident only when written (a value-initialised std::vector touches all of them at once).
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>

namespace udpdp {

template <typename T>
class FixedArray {
  static_assert(std::is_trivially_default_constructible_v<T>, "FixedArray leaves elements uninitialised");

 public:
  explicit FixedArray(size_t size) : data_(new T[size]), size_(size) {}
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<T[]> data_;
  size_t size_;
};

}  // namespace udpdp
