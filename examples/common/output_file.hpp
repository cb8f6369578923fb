// examples/common/output_file.hpp — the one way the programs write a file: into a temporary file
// beside the target (same directory, so the final rename stays on one file system and is atomic),
// every write and the close checked, fsync'd, then renamed over the target. A reader therefore sees
// the old file or the complete new one, never a half-written or empty one; a full disk or any other
// failure removes the temporary and throws saddle::Error with one line naming the file and errno's
// text. An OutputFile destroyed before commit() (an error, an exception) removes its temporary too.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "saddle/base/distributed.hpp"
#include "saddle/base/tensor.hpp"

namespace saddle::examples {

class OutputFile {
 public:
  OutputFile() = default;
  explicit OutputFile(std::string path) : path_(std::move(path)) {
    const std::filesystem::path target(path_);
    // A hidden name that says what it will become; mkstemp makes it unique and creates it 0600.
    std::string name = (target.parent_path() / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
    std::vector<char> buf(name.begin(), name.end());
    buf.push_back('\0');
    fd_ = ::mkstemp(buf.data());
    if (fd_ < 0) fail("cannot create a temporary file beside it");
    temp_.assign(buf.data());
    ::fchmod(fd_, 0644 & ~current_umask());  // the mode a plain open() would have given
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  OutputFile(OutputFile&& o) noexcept { *this = std::move(o); }
  OutputFile& operator=(OutputFile&& o) noexcept {
    if (this != &o) {
      discard();
      path_ = std::move(o.path_);
      temp_ = std::move(o.temp_);
      fd_ = o.fd_;
      o.fd_ = -1;
      o.temp_.clear();
    }
    return *this;
  }
  ~OutputFile() { discard(); }

  bool open() const { return !temp_.empty(); }
  const std::string& path() const { return path_; }
  // The temporary's name, for a writer in another process (gnuplot) that fills it instead.
  const std::string& temp_path() const { return temp_; }

  void write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("cannot write");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Makes the contents durable and the file visible under its name. fsync before rename: otherwise
  // a crash soon after can leave the new name pointing at an empty file (ext4, xfs).
  // In a data-parallel run only rank 0 writes (distributed.hpp): the others drop their copy.
  void commit() {
    if (distributed::rank() != 0) {
      ::close(fd_);
      fd_ = -1;
      std::remove(temp_.c_str());
      temp_.clear();
      return;
    }
    if (::fsync(fd_) != 0) fail("cannot sync");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close");
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot rename the temporary file to it");
    temp_.clear();
    // The rename itself is durable once the directory is synced; failing to sync it loses nothing
    // already written, so it is not an error.
    const std::string dir = std::filesystem::path(path_).parent_path().string();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }

  // Removes the temporary; the target is left as it was.
  void discard() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
  }

 private:
  [[noreturn]] void fail(const char* what) {
    const int e = errno;
    discard();
    throw Error(path_ + ": " + what + ": " + std::strerror(e));
  }
  static mode_t current_umask() {
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
  }

  std::string path_, temp_;
  int fd_ = -1;
};

// The whole file at once.
inline void write_output_file(const std::string& path, std::string_view contents) {
  OutputFile f(path);
  f.write(contents);
  f.commit();
}

}  // namespace saddle::examples
