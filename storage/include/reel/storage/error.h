// Error and Result types shared by every reel library above the resolver.
//
// A library call that can fail returns Result<T> (tl::expected<T, Error>, from Debian's
// libexpected-dev, because clang 14's libstdc++ mode has no std::expected). The Error carries a
// code, a message for a person, and context added on the way up ("reading index/table.json: ...").
// Only cli/ turns an Error into text and an exit code.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace reel {

// What went wrong, coarse enough for a caller to branch on.
enum class ErrorCode {
  kNotFound,         // a file, package, version or repo that does not exist
  kInvalidArgument,  // malformed input: a bad name, range, TOML or JSON
  kCorruption,       // a digest mismatch, a truncated archive, a damaged object
  kIOError,          // the operating system refused (permissions, EIO, ...)
  kNoSpace,          // ENOSPC / EDQUOT
  kNetwork,          // a transport failure (HTTP, connection)
  kConflict,         // a version already published with other content, a dirty tree, a stale lock
  kAlreadyExists,    // the target exists and the caller asked for exclusivity
  kUnsupported,      // the operation is not available here (e.g. FICLONE on ext4)
  kCancelled,        // not attempted or stopped because another part of the same batch failed
};

// Short lower-case name of a code ("not found", "corruption", ...).
std::string_view error_code_name(ErrorCode code);

// An error: a code, a person-readable message and, where one helps, a hint saying what to do
// (shown by cli/ as `hint: ...`). Context is prepended with with_context(); the hint is kept.
struct Error {
  ErrorCode code = ErrorCode::kIOError;
  std::string message;
  std::string hint = {};

  // Returns a copy whose message is "CONTEXT: MESSAGE".
  Error with_context(std::string_view context) const;
  // Returns a copy with `hint` as its hint.
  Error with_hint(std::string hint_text) const;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

// Builds an unexpected Error, for `return make_error(ErrorCode::kNotFound, "...");`.
inline tl::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// Success value for Status-returning functions.
inline Status ok() { return {}; }

}  // namespace reel

// Propagates an error from a Result/Status expression, adding no context.
#define REEL_TRY(expr)                                                      \
  do {                                                                      \
    auto reel_try_result_ = (expr);                                         \
    if (!reel_try_result_) return tl::unexpected(reel_try_result_.error()); \
  } while (0)
