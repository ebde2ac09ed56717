// libgit2 1.5 behind git_repo.h. API reference: https://libgit2.org/libgit2/ (v1.5).
#include "git_repo.h"

#include <git2.h>

namespace reel::git {
namespace {

// libgit2's global state for the duration of one call (init/shutdown are reference-counted).
class Library {
 public:
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

// Owns one libgit2 object and frees it with `Free`.
template <class T, void (*Free)(T*)>
class Owned {
 public:
  Owned() = default;
  ~Owned() {
    if (p_) Free(p_);
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  T** out() { return &p_; }
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
};

using RepoPtr = Owned<git_repository, git_repository_free>;

tl::unexpected<Error> fail(const std::string& what) {
  const ::git_error* e = git_error_last();
  return tl::unexpected(
      Error{ErrorCode::kIOError, what + ": " + (e && e->message ? e->message : "libgit2 error")});
}

std::string hex_of(const git_oid& id) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &id);
  return hex;
}

// Opens `dir` as a repository without searching its parents; false if it is not one.
bool open(RepoPtr& repo, const std::filesystem::path& dir) {
  return git_repository_open_ext(repo.out(), dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) ==
         0;
}

// `git add -A` then a commit on HEAD (on top of its commit, if any) in the open `repo`.
Result<std::string> stage_and_commit(RepoPtr& repo, const std::filesystem::path& dir,
                                     const std::string& message);

}  // namespace

Result<std::string> init_and_commit_all(const std::filesystem::path& dir,
                                        const std::string& message) {
  Library lib;
  std::error_code ec;
  if (std::filesystem::symlink_status(dir / ".git", ec).type() !=
      std::filesystem::file_type::not_found) {
    return make_error(ErrorCode::kAlreadyExists,
                      (dir / ".git").string() +
                          " already exists: reel makes a fresh repository and never opens one "
                          "it did not create");
  }
  RepoPtr repo;
  git_repository_init_options init;
  git_repository_init_options_init(&init, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  init.flags = GIT_REPOSITORY_INIT_NO_REINIT;  // fail rather than reuse a repository
  if (git_repository_init_ext(repo.out(), dir.c_str(), &init) != 0) {
    return fail("git init " + dir.string());
  }
  return stage_and_commit(repo, dir, message);
}

Result<std::string> commit_all(const std::filesystem::path& dir, const std::string& message) {
  Library lib;
  RepoPtr repo;
  if (!open(repo, dir)) return fail("git open " + dir.string());
  return stage_and_commit(repo, dir, message);
}

namespace {

Result<std::string> stage_and_commit(RepoPtr& repo, const std::filesystem::path& dir,
                                     const std::string& message) {
  Owned<git_index, git_index_free> index;
  if (git_repository_index(index.out(), repo.get()) != 0) return fail("git index " + dir.string());
  git_strarray everything{nullptr, 0};
  if (git_index_add_all(index.get(), &everything, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr) != 0 ||
      git_index_update_all(index.get(), &everything, nullptr, nullptr) != 0 ||
      git_index_write(index.get()) != 0) {
    return fail("git add " + dir.string());
  }
  git_oid tree_id;
  if (git_index_write_tree(&tree_id, index.get()) != 0)
    return fail("git write-tree " + dir.string());
  Owned<git_tree, git_tree_free> tree;
  if (git_tree_lookup(tree.out(), repo.get(), &tree_id) != 0)
    return fail("git tree " + dir.string());

  Owned<git_signature, git_signature_free> signature;
  if (git_signature_default(signature.out(), repo.get()) != 0 &&
      git_signature_now(signature.out(), "reel", "reel@localhost") != 0) {
    return fail("git signature");
  }
  Owned<git_commit, git_commit_free> parent;
  git_oid head;
  bool has_parent = git_reference_name_to_id(&head, repo.get(), "HEAD") == 0 &&
                    git_commit_lookup(parent.out(), repo.get(), &head) == 0;
  const git_commit* parents[1] = {parent.get()};
  git_oid commit_id;
  if (git_commit_create(&commit_id, repo.get(), "HEAD", signature.get(), signature.get(), nullptr,
                        message.c_str(), tree.get(), has_parent ? 1 : 0,
                        has_parent ? parents : nullptr) != 0) {
    return fail("git commit " + dir.string());
  }
  return hex_of(commit_id);
}

}  // namespace

std::string default_identity() {
  Library lib;
  Owned<git_config, git_config_free> config;
  if (git_config_open_default(config.out()) != 0) return "";
  Owned<git_config, git_config_free> snapshot;
  if (git_config_snapshot(snapshot.out(), config.get()) != 0) return "";
  const char* name = nullptr;
  const char* email = nullptr;
  if (git_config_get_string(&name, snapshot.get(), "user.name") != 0 || !name || !*name) return "";
  std::string out = name;
  if (git_config_get_string(&email, snapshot.get(), "user.email") == 0 && email && *email)
    out += std::string(" <") + email + ">";
  return out;
}

Result<State> state(const std::filesystem::path& dir) {
  Library lib;
  State s;
  RepoPtr repo;
  if (!open(repo, dir)) {
    s.dirty = true;
    return s;
  }
  s.is_repo = true;
  git_oid head;
  if (git_reference_name_to_id(&head, repo.get(), "HEAD") == 0) {
    s.head = hex_of(head);
  } else {
    s.dirty = true;  // no commit yet: nothing is committed
  }
  git_status_options options;
  git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  Owned<git_status_list, git_status_list_free> list;
  if (git_status_list_new(list.out(), repo.get(), &options) != 0)
    return fail("git status " + dir.string());
  const std::size_t count = git_status_list_entrycount(list.get());
  if (count > 0) s.dirty = true;
  s.changed_count = count;
  for (std::size_t i = 0; i < count && s.changed.size() < 10; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    const git_diff_delta* d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
    if (d && d->new_file.path) s.changed.emplace_back(d->new_file.path);
  }
  return s;
}

struct IgnoreFilter::Impl {
  Library lib;
  RepoPtr repo;
  Owned<git_index, git_index_free> index;
};

IgnoreFilter::IgnoreFilter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IgnoreFilter::~IgnoreFilter() = default;

Result<std::unique_ptr<IgnoreFilter>> IgnoreFilter::open(const std::filesystem::path& dir) {
  auto impl = std::make_unique<Impl>();
  if (!reel::git::open(impl->repo, dir)) {
    return make_error(ErrorCode::kNotFound, dir.string() + " is not a git repository");
  }
  if (git_repository_index(impl->index.out(), impl->repo.get()) != 0)
    return fail("git index " + dir.string());
  return std::unique_ptr<IgnoreFilter>(new IgnoreFilter(std::move(impl)));
}

bool IgnoreFilter::excluded(const std::string& path, bool is_dir) const {
  int ignored = 0;
  if (git_ignore_path_is_ignored(&ignored, impl_->repo.get(), path.c_str()) != 0 || !ignored)
    return false;
  if (!is_dir) return git_index_get_bypath(impl_->index.get(), path.c_str(), 0) == nullptr;
  std::size_t at = 0;
  return git_index_find_prefix(&at, impl_->index.get(), (path + "/").c_str()) != 0;
}

Result<std::vector<std::string>> log(const std::filesystem::path& dir) {
  Library lib;
  std::vector<std::string> summaries;
  RepoPtr repo;
  git_oid head;
  if (!open(repo, dir) || git_reference_name_to_id(&head, repo.get(), "HEAD") != 0)
    return summaries;
  Owned<git_revwalk, git_revwalk_free> walk;
  if (git_revwalk_new(walk.out(), repo.get()) != 0 || git_revwalk_push(walk.get(), &head) != 0 ||
      git_revwalk_simplify_first_parent(walk.get()) != 0) {
    return fail("git log " + dir.string());
  }
  git_oid id;
  while (git_revwalk_next(&id, walk.get()) == 0) {
    Owned<git_commit, git_commit_free> commit;
    if (git_commit_lookup(commit.out(), repo.get(), &id) != 0)
      return fail("git log " + dir.string());
    const char* summary = git_commit_summary(commit.get());
    summaries.emplace_back(summary ? summary : "");
  }
  return summaries;
}

}  // namespace reel::git
