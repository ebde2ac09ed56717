#include "git_repo.h"

#include <git2.h>

#include <memory>

namespace reel::git {
namespace {

struct Library {
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
};

template <class T, void (*Free)(T*)>
struct Ptr {
  T* p = nullptr;
  ~Ptr() {
    if (p) Free(p);
  }
};

tl::unexpected<Error> fail(const std::string& what) {
  const ::git_error* e = git_error_last();
  return tl::unexpected(Error{ErrorCode::kIOError, what + ": " + (e && e->message ? e->message : "libgit2 error")});
}

}  // namespace

Result<std::string> init_and_commit_all(const std::filesystem::path& dir, const std::string& message) {
  Library lib;
  Ptr<git_repository, git_repository_free> repo;
  if (git_repository_open_ext(&repo.p, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    if (git_repository_init(&repo.p, dir.c_str(), 0) != 0) return fail("git init " + dir.string());
  }
  Ptr<git_index, git_index_free> index;
  if (git_repository_index(&index.p, repo.p) != 0) return fail("git index " + dir.string());
  git_strarray all{nullptr, 0};
  if (git_index_add_all(index.p, &all, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr) != 0 ||
      git_index_update_all(index.p, &all, nullptr, nullptr) != 0 || git_index_write(index.p) != 0) {
    return fail("git add " + dir.string());
  }
  git_oid tree_id, commit_id;
  if (git_index_write_tree(&tree_id, index.p) != 0) return fail("git write-tree " + dir.string());
  Ptr<git_tree, git_tree_free> tree;
  if (git_tree_lookup(&tree.p, repo.p, &tree_id) != 0) return fail("git tree " + dir.string());
  Ptr<git_signature, git_signature_free> sig;
  if (git_signature_default(&sig.p, repo.p) != 0 && git_signature_now(&sig.p, "reel", "reel@localhost") != 0) {
    return fail("git signature");
  }
  Ptr<git_commit, git_commit_free> parent;
  git_oid head;
  int parents = 0;
  if (git_reference_name_to_id(&head, repo.p, "HEAD") == 0 && git_commit_lookup(&parent.p, repo.p, &head) == 0) {
    parents = 1;
  }
  const git_commit* parent_list[1] = {parent.p};
  if (git_commit_create(&commit_id, repo.p, "HEAD", sig.p, sig.p, nullptr, message.c_str(), tree.p, parents,
                        parents ? parent_list : nullptr) != 0) {
    return fail("git commit " + dir.string());
  }
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &commit_id);
  return std::string(hex);
}

Result<State> state(const std::filesystem::path& dir) {
  Library lib;
  State s;
  Ptr<git_repository, git_repository_free> repo;
  if (git_repository_open_ext(&repo.p, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    s.dirty = true;
    return s;
  }
  s.is_repo = true;
  git_oid head;
  if (git_reference_name_to_id(&head, repo.p, "HEAD") == 0) {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &head);
    s.head = hex;
  } else {
    s.dirty = true;
  }
  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  Ptr<git_status_list, git_status_list_free> list;
  if (git_status_list_new(&list.p, repo.p, &opts) != 0) return fail("git status " + dir.string());
  if (git_status_list_entrycount(list.p) > 0) s.dirty = true;
  return s;
}

}  // namespace reel::git
