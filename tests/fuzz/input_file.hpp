// The fuzzer's input as a file, for readers that take a path: one file per process, on /dev/shm
// when it exists so that a million inputs never touch a disk, removed at exit.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace saddle::fuzz {

inline const std::string& input_path() {
  static const std::string path = [] {
    const std::filesystem::path dir =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    return (dir / ("saddle-fuzz-" + std::to_string(::getpid()) + ".input")).string();
  }();
  static const int registered = std::atexit([] { std::remove(path.c_str()); });
  (void)registered;
  return path;
}

// Writes the input to input_path() and returns that path. Aborts when it cannot: a harness that
// went on would read a stale file and report nothing about this input.
inline const std::string& write_input(const std::uint8_t* data, std::size_t size) {
  const std::string& path = input_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) std::abort();
  return path;
}

}  // namespace saddle::fuzz
