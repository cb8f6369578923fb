// examples/common/output_paths.hpp — every file a run will write, checked before the run starts, so
// that an hour of training is never lost to a typo in --save: the directory exists and takes a new
// file (tried by creating and removing one), the path is not a directory, and no two outputs name
// the same file (compared as canonical paths, so `--csv run.csv --save ./run.csv` is caught too).
//
//   OutputPaths outputs;
//   outputs.add("--csv", csv_path).add("--save", save_path).check();
//   → train: --save /missing/dir/w.npz: directory /missing/dir does not exist
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle::examples {

class OutputPaths {
 public:
  // An output of the run under the flag that names it. An empty path is an output not asked for
  // (a flag given explicitly with '' is refused when parsing, by cli.hpp's path()).
  OutputPaths& add(std::string flag, std::string path) {
    if (!path.empty()) outputs_.emplace_back(std::move(flag), std::move(path));
    return *this;
  }

  // Throws saddle::Error, one line naming the flag and the path, for the first problem found.
  void check() const {
    namespace fs = std::filesystem;
    std::vector<fs::path> canonical;
    for (const auto& [flag, path] : outputs_) {
      const std::string where = flag + " " + path;
      std::error_code ec;
      const fs::path p(path);
      if (path.find('\n') != std::string::npos) throw Error(where + ": a file name with a line break");
      if (p.filename().empty() || fs::is_directory(p, ec)) throw Error(where + ": is a directory, not a file");
      const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
      if (!fs::exists(dir, ec)) throw Error(where + ": directory " + dir.string() + " does not exist");
      if (!fs::is_directory(dir, ec)) throw Error(where + ": " + dir.string() + " is not a directory");
      try_create_in(dir, where);
      const fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
      for (std::size_t j = 0; j < canonical.size(); ++j)
        if (c == canonical[j])
          throw Error(where + ": the same file as " + outputs_[j].first + " " + outputs_[j].second);
      canonical.push_back(c);
    }
  }

 private:
  // Permissions alone do not tell (read-only mounts, ACLs, root): create a file and remove it.
  static void try_create_in(const std::filesystem::path& dir, const std::string& where) {
    std::string name = (dir / ".saddle-write-test.XXXXXX").string();
    std::vector<char> buf(name.begin(), name.end());
    buf.push_back('\0');
    const int fd = ::mkstemp(buf.data());
    if (fd < 0) throw Error(where + ": cannot create a file in " + dir.string() + ": " + std::strerror(errno));
    ::close(fd);
    ::unlink(buf.data());
  }

  std::vector<std::pair<std::string, std::string>> outputs_;
};

}  // namespace saddle::examples
