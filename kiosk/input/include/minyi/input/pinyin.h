// Pinyin input on librime: the kiosk's own schemas deployed into its own user-data folder, one session per
// resident, candidates filtered by what the font can draw, Traditional output through OpenCC (core::toTraditional).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace minyi::input {

// True when the kiosk's font atlas can draw every character of a text (FontLibrary::canDraw). The engines
// take it as a plain function so that they stay free of any window.
using CanDraw = std::function<bool(const std::string&)>;

struct PinyinOptions {
  std::string userDataDir;                       // the kiosk's own folder (schemas, built prisms); never shared
  std::string sharedDataDir = "/usr/share/rime-data";  // Debian's rime-data-pinyin-simp
};

struct PinyinDeploy {
  bool deployed = false;  // false: the user-data folder was up to date (a later start)
  double ms = 0;          // set-up, maintenance and deployment
};

class PinyinSession;

// librime is one per process: open() initialises it once (deploying the kiosk's schemas into userDataDir
// when they are new or changed), the destructor finalises it. Sessions must not outlive the engine.
class PinyinEngine {
 public:
  static std::unique_ptr<PinyinEngine> open(const PinyinOptions& options, std::string* error);
  ~PinyinEngine();
  PinyinEngine(const PinyinEngine&) = delete;
  PinyinEngine& operator=(const PinyinEngine&) = delete;
  const PinyinDeploy& deploy() const { return deploy_; }

  // A fresh composition for one resident. fuzzy: z/zh c/ch s/sh n/l an/ang en/eng in/ing count as one;
  // traditional: candidates converted to Traditional script (OpenCC s2tw).
  std::unique_ptr<PinyinSession> newSession(bool fuzzy, bool traditional, CanDraw canDraw) const;

 private:
  PinyinEngine() = default;
  PinyinDeploy deploy_;
};

// One resident's pinyin typing. Nothing is learned: the schemas have no user dictionary, and the session
// (with its commit history) ends when the keyboard closes.
class PinyinSession {
 public:
  ~PinyinSession();
  bool composing() const { return !preedit_.empty(); }
  const std::string& preedit() const { return preedit_; }      // "wo yao tou su"
  const std::vector<std::string>& candidates() const { return shown_; }  // drawable, in output script

  void key(char letter);       // a–z
  bool backspace();            // false when nothing was being composed (the text's last character goes)
  void clear();
  // Chooses a candidate; returns the text to insert (empty while part of a phrase is still being composed,
  // e.g. after choosing 我要 for woyao|tousu — the rest stays in the preedit).
  std::string choose(size_t index);
  // The first candidate (space, punctuation, 完成 and mode switches commit what is being composed).
  std::string commitFirst();

 private:
  friend class PinyinEngine;
  PinyinSession() = default;
  void refresh();
  std::string takeCommit();
  std::string convert(const std::string& s) const;

  unsigned long long id_ = 0;
  bool traditional_ = false;
  CanDraw canDraw_;
  std::string preedit_;
  std::vector<std::string> shown_;
  std::vector<size_t> rimeIndex_;  // shown_[i] is librime's candidate rimeIndex_[i]
  std::string pendingCommit_;      // committed by librime on the way to a full phrase
};

}  // namespace minyi::input
